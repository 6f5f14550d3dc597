package dev.cohort.replicated;

import dev.cohort.replicated.raft.Entry;
import dev.cohort.replicated.raft.HardState;
import dev.cohort.replicated.raft.Snapshot;
import java.util.ArrayList;
import java.util.List;

/**
 * A replica's "disk" kept in memory: it survives a simulated crash of the replica (the replica object
 * is thrown away, this is not) but not the JVM. Everything saved is durable at once.
 */
final class MemoryStorage implements RaftStorage {
  private HardState hardState = HardState.INITIAL;
  private Snapshot snapshot = Snapshot.EMPTY;
  private final ArrayList<Entry> entries = new ArrayList<>();

  @Override
  public Persisted load() {
    return new Persisted(hardState, snapshot, List.copyOf(entries));
  }

  @Override
  public void save(HardState hs, List<Entry> newEntries) {
    if (hs != null) {
      hardState = hs;
    }
    if (!newEntries.isEmpty()) {
      long first = newEntries.get(0).index();
      int keep = (int) Math.max(0, first - snapshot.index() - 1);
      if (keep < entries.size()) {
        entries.subList(keep, entries.size()).clear();
      }
      entries.addAll(newEntries);
    }
  }

  @Override
  public void saveSnapshot(Snapshot s) {
    if (s.index() <= snapshot.index()) {
      return;
    }
    int drop = (int) Math.min(entries.size(), s.index() - snapshot.index());
    boolean matches = drop > 0 && entries.get(drop - 1).term() == s.term();
    if (matches) {
      entries.subList(0, drop).clear();
    } else {
      entries.clear(); // a snapshot from the leader replaces a log that disagrees with it
    }
    snapshot = s;
  }
}
