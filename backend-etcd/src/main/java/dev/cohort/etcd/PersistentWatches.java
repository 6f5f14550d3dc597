package dev.cohort.etcd;

import dev.cohort.spi.Paths;
import dev.cohort.spi.WatchEvent;
import dev.cohort.spi.WatchMode;
import dev.cohort.spi.Watcher;
import io.etcd.jetcd.ByteSequence;
import io.etcd.jetcd.Client;
import io.etcd.jetcd.KeyValue;
import io.etcd.jetcd.Watch;
import io.etcd.jetcd.common.exception.CompactedException;
import io.etcd.jetcd.options.WatchOption;
import io.etcd.jetcd.watch.WatchEvent.EventType;
import io.etcd.jetcd.watch.WatchResponse;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One session's persistent watches ({@link WatchMode#PERSISTENT} and {@link
 * WatchMode#PERSISTENT_RECURSIVE}), all served by <em>one</em> etcd watch over the whole namespace.
 *
 * <h2>How it works</h2>
 * The key layout puts each depth of the tree in a key range of its own, so no single range covers a
 * subtree, and a node's own key and its children's keys are two ranges. One etcd watch of the
 * namespace prefix, filtered here by path, covers every registration in one stream, in revision
 * order, so events of different nodes never overtake each other. The price: while a session holds
 * any persistent watch, it receives every change of the namespace (module README).
 *
 * <ul>
 *   <li><b>Other sessions' changes</b> are turned from etcd's key events into ZooKeeper's events:
 *       a put that created the key is NODE_CREATED of the node and NODE_CHILDREN_CHANGED of its
 *       parent, a delete NODE_DELETED and NODE_CHILDREN_CHANGED, a put over a node deleted and
 *       created again in one multi both pairs, any other put NODE_DATA_CHANGED. A multi that wrote
 *       one node twice reaches etcd as one put, so it yields the net change (no {@code
 *       MULTI_EVENTS_PER_OP}).
 *   <li><b>This session's own writes</b> fire from the write path, one event per op in op order,
 *       before the write completes ({@link #fireOwn}). The stream shows the same revision too (every
 *       write transaction of a session puts its session key); that revision is skipped, whichever of
 *       the two comes first.
 *   <li><b>Disconnects.</b> While the session is not connected nothing is delivered and the
 *       position does not move; on reconnect ({@link #resume}) the watch is opened again from the
 *       revision after the last one handled, so the changes made meanwhile arrive then, in order.
 *       Only a compaction of those revisions loses them (logged).
 * </ul>
 *
 * Event thread only: every field and method, including the stream's callbacks, which are posted
 * there.
 */
final class PersistentWatches {

  private static final Logger LOG = LoggerFactory.getLogger(PersistentWatches.class);
  private static final long REOPEN_AFTER_ERROR_MILLIS = 200;

  /** What the session provides. */
  interface Host {
    /** The session's current client (replaced while suspended). */
    Client client();

    /** Runs {@code task} on the event thread. */
    void post(Runnable task);

    /** Runs {@code task} on the event thread after {@code millis}. */
    void postLater(Runnable task, long millis);

    /** Whether events may be delivered now (connected, not ended). */
    boolean delivering();

    /** Hands {@code event} to each of {@code watchers}. */
    void deliver(List<Watcher> watchers, WatchEvent event);
  }

  /** One registration; {@code since} is the revision it was set at: only later changes fire it. */
  private record Registration(String path, boolean recursive, Watcher watcher, long since) {}

  private final Layout layout;
  private final byte[] ownSessionKey;
  private final Host host;
  private final List<Registration> registrations = new ArrayList<>();
  /** The open etcd watch, or null when there is no registration. */
  private Watch.Watcher stream;
  /** Bumped whenever the stream is replaced: callbacks of an older stream are ignored. */
  private int generation;
  /** The last revision the stream handled (or the one before the stream's start). */
  private long handled;
  /** Set when the stream's events could not be delivered: nothing more is until {@link #resume}. */
  private boolean stale;
  /** Revisions of this session's writes fired by the write path that the stream has not shown yet. */
  private final TreeSet<Long> ownFired = new TreeSet<>();

  PersistentWatches(Layout layout, long lease, Host host) {
    this.layout = layout;
    this.ownSessionKey = layout.sessionKey(lease).getBytes();
    this.host = host;
  }

  int size() {
    return registrations.size();
  }

  /** Registers {@code watcher}, set at {@code revision} (a read's); a no-op if already there. */
  void add(String path, WatchMode mode, Watcher watcher, long revision) {
    boolean recursive = mode == WatchMode.PERSISTENT_RECURSIVE;
    for (Registration r : registrations) {
      if (r.path.equals(path) && r.recursive == recursive && r.watcher == watcher) {
        return;
      }
    }
    registrations.add(new Registration(path, recursive, watcher, revision));
    if (stream == null && !stale) {
      open(revision + 1);
    }
  }

  /** Removes every registration of {@code watcher} on {@code path}; closes the stream with the last. */
  void remove(String path, Watcher watcher) {
    registrations.removeIf(r -> r.path.equals(path) && r.watcher == watcher);
    if (registrations.isEmpty()) {
      close();
    }
  }

  /** The session ended: everything goes. */
  void drop() {
    registrations.clear();
    close();
  }

  /** After a reconnect: reopens the stream (on the session's new client) after the last revision handled. */
  void resume() {
    if (registrations.isEmpty()) {
      return;
    }
    stale = false;
    open(handled + 1);
  }

  /** The persistent watchers {@code change}, made by this session's write at {@code revision}, fires. */
  List<Watcher> fireOwn(WatchEvent change, long revision) {
    return matching(change, revision);
  }

  /** This session's write at {@code revision} has fired its events: the stream skips that revision. */
  void ownWriteFired(long revision) {
    if (!registrations.isEmpty() && revision > handled) {
      ownFired.add(revision);
    }
  }

  private void open(long fromRevision) {
    closeStream();
    int gen = ++generation;
    handled = fromRevision - 1;
    String prefix = layout.namespacePrefix();
    WatchOption option = WatchOption.builder()
        .withRevision(fromRevision)
        .withRange(Layout.prefixEnd(prefix))
        .build();
    stream = host.client().getWatchClient().watch(Layout.bytes(prefix), option, Watch.listener(
        response -> host.post(() -> onResponse(gen, response)),
        error -> host.post(() -> onError(gen, error))));
  }

  private void close() {
    closeStream();
    generation++;
    stale = false;
    ownFired.clear();
  }

  private void closeStream() {
    if (stream != null) {
      try {
        stream.close();
      } catch (RuntimeException e) {
        LOG.debug("closing the persistent watch stream failed: {}", e.toString());
      }
      stream = null;
    }
  }

  private void onResponse(int gen, WatchResponse response) {
    if (gen != generation) {
      return;
    }
    if (stale || !host.delivering()) {
      // Not delivered, and the position stays: resume() asks etcd for these events again.
      stale = true;
      return;
    }
    Map<Long, List<io.etcd.jetcd.watch.WatchEvent>> byRevision = new TreeMap<>();
    for (io.etcd.jetcd.watch.WatchEvent e : response.getEvents()) {
      byRevision.computeIfAbsent(e.getKeyValue().getModRevision(), r -> new ArrayList<>()).add(e);
    }
    for (Map.Entry<Long, List<io.etcd.jetcd.watch.WatchEvent>> group : byRevision.entrySet()) {
      long revision = group.getKey();
      if (revision <= handled) {
        continue;
      }
      handled = revision;
      if (isOwnWrite(group.getValue())) {
        // Fired (or about to be, before the write completes) from the write path, per op.
        ownFired.remove(revision);
        continue;
      }
      for (io.etcd.jetcd.watch.WatchEvent e : group.getValue()) {
        for (WatchEvent event : translate(e)) {
          List<Watcher> targets = matching(event, revision);
          if (!targets.isEmpty()) {
            host.deliver(targets, event);
          }
        }
      }
    }
    ownFired.headSet(handled, true).clear();
  }

  private void onError(int gen, Throwable error) {
    if (gen != generation) {
      return;
    }
    stream = null;
    if (error instanceof CompactedException compacted) {
      LOG.warn("persistent watches lost the changes before revision {}: etcd compacted them",
          compacted.getCompactedRevision());
      handled = Math.max(handled, compacted.getCompactedRevision() - 1);
    } else {
      LOG.debug("the persistent watch stream failed: {}", error.toString());
    }
    if (!host.delivering()) {
      stale = true; // resume() reopens it
      return;
    }
    host.postLater(() -> {
      if (gen == generation && stream == null && !stale && !registrations.isEmpty()) {
        open(handled + 1);
      }
    }, REOPEN_AFTER_ERROR_MILLIS);
  }

  private boolean isOwnWrite(List<io.etcd.jetcd.watch.WatchEvent> events) {
    for (io.etcd.jetcd.watch.WatchEvent e : events) {
      if (e.getEventType() == EventType.PUT && Arrays.equals(e.getKeyValue().getKey().getBytes(), ownSessionKey)) {
        return true;
      }
    }
    return false;
  }

  /** ZooKeeper's events for one etcd key event; none for keys that are not nodes. */
  private List<WatchEvent> translate(io.etcd.jetcd.watch.WatchEvent e) {
    KeyValue kv = e.getKeyValue();
    String path = layout.pathOfDataKey(kv.getKey().getBytes());
    if (path == null) {
      return List.of();
    }
    String parent = path.equals(Paths.ROOT) ? null : parentOf(path);
    List<WatchEvent> out = new ArrayList<>(4);
    if (e.getEventType() == EventType.DELETE) {
      membership(out, WatchEvent.Type.NODE_DELETED, path, parent);
    } else if (NodeValue.recreatedBy(kv)) {
      membership(out, WatchEvent.Type.NODE_DELETED, path, parent);
      membership(out, WatchEvent.Type.NODE_CREATED, path, parent);
    } else if (kv.getCreateRevision() == kv.getModRevision()) {
      membership(out, WatchEvent.Type.NODE_CREATED, path, parent);
    } else {
      out.add(new WatchEvent(WatchEvent.Type.NODE_DATA_CHANGED, path));
    }
    return out;
  }

  private static void membership(List<WatchEvent> out, WatchEvent.Type type, String path, String parent) {
    out.add(new WatchEvent(type, path));
    if (parent != null) {
      out.add(new WatchEvent(WatchEvent.Type.NODE_CHILDREN_CHANGED, parent));
    }
  }

  private static String parentOf(String path) {
    int slash = path.lastIndexOf('/');
    return slash == 0 ? Paths.ROOT : path.substring(0, slash);
  }

  /** The watchers, each once, of the registrations {@code event} at {@code revision} fires. */
  private List<Watcher> matching(WatchEvent event, long revision) {
    if (registrations.isEmpty()) {
      return List.of();
    }
    Map<Watcher, Boolean> seen = new IdentityHashMap<>();
    List<Watcher> out = new ArrayList<>();
    for (Registration r : registrations) {
      if (r.since < revision && fires(r, event) && seen.put(r.watcher, Boolean.TRUE) == null) {
        out.add(r.watcher);
      }
    }
    return out;
  }

  private static boolean fires(Registration r, WatchEvent event) {
    if (!r.recursive) {
      return r.path.equals(event.path());
    }
    if (event.type() == WatchEvent.Type.NODE_CHILDREN_CHANGED) {
      return false;
    }
    return r.path.equals(Paths.ROOT) || event.path().equals(r.path) || event.path().startsWith(r.path + "/");
  }
}
