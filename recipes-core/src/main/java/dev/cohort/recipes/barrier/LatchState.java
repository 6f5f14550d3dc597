package dev.cohort.recipes.barrier;

import java.nio.ByteBuffer;
import java.nio.BufferUnderflowException;
import java.util.Arrays;

/**
 * A {@link CountDownLatch}'s node data, and the pure decisions on it. Besides the initial and the
 * current count it keeps the ids of the last {@link #RECENT} count-downs applied, newest last: a
 * count-down whose reply was lost finds out from them whether it counted.
 *
 * <p>Every write to a latch node is one count-down (a decrement by exactly one, version-checked),
 * so {@code count} also numbers the writes: between two reads, {@code earlier.count - later.count}
 * count-downs were applied.
 *
 * <p>Layout: format byte, initial count, count, number of ids, then the ids (two longs each).
 * Immutable.
 */
record LatchState(long initial, long count, long[] recentIds) {
  /** How many applied count-downs a latch remembers: 64 × 16 bytes of node data. */
  static final int RECENT = 64;
  private static final byte FORMAT = 1;

  static LatchState fresh(long count) {
    return new LatchState(count, count, new long[0]);
  }

  /** Whether the count-down with this id is among the recently applied ones. */
  boolean applied(long idHigh, long idLow) {
    for (int i = 0; i + 1 < recentIds.length; i += 2) {
      if (recentIds[i] == idHigh && recentIds[i + 1] == idLow) {
        return true;
      }
    }
    return false;
  }

  /** The state after one more count-down, with this id; only for a count above zero. */
  LatchState countedDown(long idHigh, long idLow) {
    if (count <= 0) {
      throw new IllegalStateException("an open latch is not counted down");
    }
    int keep = Math.min(recentIds.length, (RECENT - 1) * 2);
    long[] ids = Arrays.copyOfRange(recentIds, recentIds.length - keep, recentIds.length + 2);
    ids[keep] = idHigh;
    ids[keep + 1] = idLow;
    return new LatchState(initial, count - 1, ids);
  }

  byte[] encode() {
    ByteBuffer out = ByteBuffer.allocate(1 + 8 + 8 + 4 + recentIds.length * 8);
    out.put(FORMAT).putLong(initial).putLong(count).putInt(recentIds.length / 2);
    for (long id : recentIds) {
      out.putLong(id);
    }
    return out.array();
  }

  /**
   * Reads a latch's node data.
   *
   * @throws IllegalArgumentException if {@code data} is not a latch's
   */
  static LatchState decode(String path, byte[] data) {
    try {
      ByteBuffer in = ByteBuffer.wrap(data);
      byte format = in.get();
      long initial = in.getLong();
      long count = in.getLong();
      int ids = in.getInt();
      if (format != FORMAT || initial < 0 || count < 0 || count > initial || ids < 0 || ids > RECENT
          || in.remaining() != ids * 16) {
        throw new IllegalArgumentException("the node at " + path + " is not a count-down latch");
      }
      long[] recent = new long[ids * 2];
      in.asLongBuffer().get(recent);
      return new LatchState(initial, count, recent);
    } catch (BufferUnderflowException e) {
      throw new IllegalArgumentException("the node at " + path + " is not a count-down latch", e);
    }
  }
}
