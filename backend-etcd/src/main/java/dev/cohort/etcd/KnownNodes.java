package dev.cohort.etcd;

import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * What one session last saw of the nodes it read or wrote, for planning its next write without a
 * read first (see {@link Plan}). Only ever a guess: a write built from it is guarded by compares on
 * the exact mod revisions it holds, so a stale entry costs a failed compare, never a wrong answer.
 * Bounded by entries and by the bytes of the values it keeps (least recently used entries go first),
 * and never holds child names.
 *
 * <p>Thread-safe: every method locks the instance.
 */
final class KnownNodes {

  private final int maxEntries;
  private final long maxBytes;
  /** Access order: the eldest is the least recently used. */
  private final LinkedHashMap<String, NodeSnap> nodes = new LinkedHashMap<>(64, 0.75f, true);
  private long bytes;

  KnownNodes(int maxEntries, long maxBytes) {
    this.maxEntries = maxEntries;
    this.maxBytes = maxBytes;
  }

  /** The last snapshot of {@code path}, or a snapshot of a missing node when none is known. */
  synchronized NodeSnap guess(String path) {
    NodeSnap s = nodes.get(path);
    return s != null ? s : new NodeSnap(path, null, null, 0, null);
  }

  synchronized void learn(NodeSnap s) {
    NodeSnap kept = s.names() == null ? s : new NodeSnap(s.path(), s.data(), s.meta(), s.childCount(), null);
    NodeSnap old = nodes.put(s.path(), kept);
    bytes += size(kept) - (old == null ? 0 : size(old));
    Iterator<Map.Entry<String, NodeSnap>> eldest = nodes.entrySet().iterator();
    while ((nodes.size() > maxEntries || bytes > maxBytes) && eldest.hasNext()) {
      bytes -= size(eldest.next().getValue());
      eldest.remove();
    }
  }

  synchronized int size() {
    return nodes.size();
  }

  private static long size(NodeSnap s) {
    return (s.data() == null ? 0 : s.data().getValue().size()) + (s.meta() == null ? 0 : s.meta().getValue().size());
  }
}
