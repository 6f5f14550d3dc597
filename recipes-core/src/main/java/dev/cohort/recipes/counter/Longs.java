package dev.cohort.recipes.counter;

import java.nio.ByteBuffer;

/** The counters' node format: eight bytes, big-endian. */
final class Longs {
  private Longs() {}

  static byte[] encode(long value) {
    return ByteBuffer.allocate(Long.BYTES).putLong(value).array();
  }

  /** @throws IllegalStateException if the node does not hold a counter */
  static long decode(String path, byte[] data) {
    if (data.length != Long.BYTES) {
      throw new IllegalStateException(path + " does not hold a counter: " + data.length + " bytes, not " + Long.BYTES);
    }
    return ByteBuffer.wrap(data).getLong();
  }
}
