package dev.cohort.replicated.raft;

import java.util.Objects;

/**
 * The state machine's state after applying every entry up to and including {@code index}, as
 * opaque bytes produced by the driver's state machine. Replaces that prefix of the log.
 *
 * @param index the last entry the snapshot covers (0 for the empty initial snapshot)
 * @param term that entry's term (0 for the empty initial snapshot)
 * @param data the serialized state; shared, never modified
 */
public record Snapshot(long index, long term, byte[] data) {
  /** The snapshot every fresh node starts from: nothing applied. */
  public static final Snapshot EMPTY = new Snapshot(0, 0, new byte[0]);

  public Snapshot {
    Objects.requireNonNull(data, "data");
    if (index < 0 || term < 0) {
      throw new IllegalArgumentException("negative snapshot index or term");
    }
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Snapshot s && s.index == index && s.term == term && java.util.Arrays.equals(s.data, data);
  }

  @Override
  public int hashCode() {
    return Long.hashCode(index) * 31 + Long.hashCode(term);
  }

  @Override
  public String toString() {
    return "Snapshot[" + index + "@" + term + ", " + data.length + " bytes]";
  }
}
