package dev.cohort.replicated;

import dev.cohort.replicated.raft.Entry;
import dev.cohort.replicated.raft.HardState;
import dev.cohort.replicated.raft.Snapshot;
import java.util.List;

/**
 * Where one replica keeps what must survive its crash: the hard state, the latest snapshot and the
 * log entries after it. What {@link #load()} returns after a crash is exactly what was saved before
 * it (for a file store: what was synced). Used on the loop thread only.
 */
interface RaftStorage {

  /** What a restarted replica starts from. */
  record Persisted(HardState hardState, Snapshot snapshot, List<Entry> entries) {}

  Persisted load();

  /**
   * Saves a ready's durable part: the hard state (if not null) and entries, which replace every
   * stored entry at or after the first one's index. Must be durable before the ready's messages go
   * out.
   */
  void save(HardState hardState, List<Entry> entries);

  /** Saves a snapshot and forgets the entries it covers. */
  void saveSnapshot(Snapshot snapshot);

  /** Releases files; the stored state stays for a later {@link #load()}. */
  default void close() {}
}
