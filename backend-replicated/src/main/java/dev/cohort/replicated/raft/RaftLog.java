package dev.cohort.replicated.raft;

import java.util.ArrayList;
import java.util.List;

/**
 * A node's in-memory log: a snapshot covering a prefix, followed by the entries after it. Entry
 * {@code i} lives at {@code entries.get(i - snapshot.index() - 1)}. Not thread-safe; owned by one
 * {@link RaftNode}.
 */
final class RaftLog {
  private Snapshot snapshot;
  private final ArrayList<Entry> entries = new ArrayList<>();

  RaftLog(Snapshot snapshot, List<Entry> after) {
    this.snapshot = snapshot;
    long expect = snapshot.index() + 1;
    for (Entry e : after) {
      if (e.index() != expect++) {
        throw new IllegalArgumentException("restored entries are not contiguous after the snapshot at " + e);
      }
      entries.add(e);
    }
  }

  Snapshot snapshot() {
    return snapshot;
  }

  long firstIndex() {
    return snapshot.index() + 1;
  }

  long lastIndex() {
    return snapshot.index() + entries.size();
  }

  long lastTerm() {
    return entries.isEmpty() ? snapshot.term() : entries.get(entries.size() - 1).term();
  }

  /** The term of entry {@code index}, or -1 if it is compacted away or beyond the end. */
  long term(long index) {
    if (index == snapshot.index()) {
      return snapshot.term();
    }
    if (index < snapshot.index() || index > lastIndex()) {
      return -1;
    }
    return entries.get((int) (index - snapshot.index() - 1)).term();
  }

  Entry entry(long index) {
    return entries.get((int) (index - snapshot.index() - 1));
  }

  /** Entries {@code from..to} inclusive, at most {@code max} of them; {@code from} must be present. */
  List<Entry> slice(long from, long to, int max) {
    if (from > to) {
      return List.of();
    }
    long end = Math.min(to, from + max - 1);
    int lo = (int) (from - snapshot.index() - 1);
    int hi = (int) (end - snapshot.index());
    return List.copyOf(entries.subList(lo, hi));
  }

  void append(Entry e) {
    if (e.index() != lastIndex() + 1) {
      throw new IllegalStateException("append out of order: " + e + " after " + lastIndex());
    }
    entries.add(e);
  }

  /** Removes every entry at or after {@code index}. */
  void truncateFrom(long index) {
    int keep = (int) (index - snapshot.index() - 1);
    entries.subList(keep, entries.size()).clear();
  }

  /** Drops the entries the newer snapshot covers; the caller guarantees it matches the log. */
  void compact(Snapshot newer) {
    int drop = (int) Math.min(entries.size(), newer.index() - snapshot.index());
    entries.subList(0, drop).clear();
    snapshot = newer;
  }

  /** Replaces the whole log by a snapshot from the leader. */
  void restore(Snapshot s) {
    entries.clear();
    snapshot = s;
  }

  /** Whether a log ending at {@code (index, term)} is at least as up to date as this one (§5.4.1). */
  boolean isUpToDate(long index, long term) {
    return term > lastTerm() || (term == lastTerm() && index >= lastIndex());
  }
}
