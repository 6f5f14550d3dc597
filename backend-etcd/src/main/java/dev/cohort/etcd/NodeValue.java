package dev.cohort.etcd;

import java.nio.ByteBuffer;
import java.util.Arrays;

/**
 * The value of a node's data key: a small header then the node's data.
 *
 * <p>The version is kept here rather than taken from etcd's per-key version because a multi that
 * creates a node and sets its data writes the key once (etcd refuses two writes of one key in one
 * transaction), yet ZooKeeper counts the setData. Times come from the writing client's clock: etcd
 * keeps none.
 */
record NodeValue(int version, long ctime, long mtime, byte[] data) {

  private static final byte MAGIC = 'Z';
  static final int HEADER_BYTES = 1 + 4 + 8 + 8;

  byte[] encode() {
    ByteBuffer b = ByteBuffer.allocate(HEADER_BYTES + data.length);
    b.put(MAGIC).putInt(version).putLong(ctime).putLong(mtime).put(data);
    return b.array();
  }

  static NodeValue decode(byte[] bytes) {
    if (bytes.length < HEADER_BYTES || bytes[0] != MAGIC) {
      throw new IllegalStateException("not a Cohort node value (" + bytes.length + " bytes)");
    }
    ByteBuffer b = ByteBuffer.wrap(bytes);
    b.get();
    int version = b.getInt();
    long ctime = b.getLong();
    long mtime = b.getLong();
    return new NodeValue(version, ctime, mtime, Arrays.copyOfRange(bytes, HEADER_BYTES, bytes.length));
  }

  static byte[] encodeCounter(int creates) {
    return ByteBuffer.allocate(4).putInt(creates).array();
  }

  static int decodeCounter(byte[] bytes) {
    return bytes.length == 4 ? ByteBuffer.wrap(bytes).getInt() : 0;
  }
}
