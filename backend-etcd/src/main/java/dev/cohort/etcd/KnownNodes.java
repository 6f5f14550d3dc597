package dev.cohort.etcd;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * What one session last saw of the nodes it read or wrote, for planning its next write without a
 * read first (see {@link Plan}). Only ever a guess: a write built from it is guarded by compares on
 * the exact mod revisions it holds, so a stale entry costs a failed compare, never a wrong answer.
 * Bounded (least recently used entries go first), and never holds child names.
 *
 * <p>Thread-safe: every method locks the instance.
 */
final class KnownNodes {

  private final Map<String, NodeSnap> nodes;

  KnownNodes(int capacity) {
    this.nodes = new LinkedHashMap<>(64, 0.75f, true) {
      @Override
      protected boolean removeEldestEntry(Map.Entry<String, NodeSnap> eldest) {
        return size() > capacity;
      }
    };
  }

  /** The last snapshot of {@code path}, or a snapshot of a missing node when none is known. */
  synchronized NodeSnap guess(String path) {
    NodeSnap s = nodes.get(path);
    return s != null ? s : new NodeSnap(path, null, null, 0, null);
  }

  synchronized void learn(NodeSnap s) {
    nodes.put(s.path(), s.names() == null ? s : new NodeSnap(s.path(), s.data(), s.meta(), s.childCount(), null));
  }

  synchronized int size() {
    return nodes.size();
  }
}
