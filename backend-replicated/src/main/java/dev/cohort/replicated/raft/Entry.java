package dev.cohort.replicated.raft;

import java.util.Objects;

/**
 * One log entry: an opaque command stamped with the term of the leader that proposed it and its
 * position in the log. Entries are immutable once created; the data array is shared and must never
 * be modified by anyone.
 *
 * @param term the term in which a leader appended this entry
 * @param index the entry's position in the log, from 1
 * @param data the command; empty for the no-op a new leader appends
 */
public record Entry(long term, long index, byte[] data) {
  public Entry {
    Objects.requireNonNull(data, "data");
    if (term < 1 || index < 1) {
      throw new IllegalArgumentException("term and index start at 1: " + term + "/" + index);
    }
  }

  /** Whether this is a leader's no-op (carries no command). */
  public boolean isNoop() {
    return data.length == 0;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Entry e && e.term == term && e.index == index && java.util.Arrays.equals(e.data, data);
  }

  @Override
  public int hashCode() {
    return Long.hashCode(term) * 31 + Long.hashCode(index);
  }

  @Override
  public String toString() {
    return "Entry[" + index + "@" + term + ", " + data.length + " bytes]";
  }
}
