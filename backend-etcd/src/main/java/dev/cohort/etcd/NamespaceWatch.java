package dev.cohort.etcd;

import dev.cohort.spi.Paths;
import dev.cohort.spi.WatchEvent;
import dev.cohort.spi.WatchMode;
import dev.cohort.spi.Watcher;
import io.etcd.jetcd.Client;
import io.etcd.jetcd.KeyValue;
import io.etcd.jetcd.Watch;
import io.etcd.jetcd.common.exception.CompactedException;
import io.etcd.jetcd.options.WatchOption;
import io.etcd.jetcd.watch.WatchEvent.EventType;
import io.etcd.jetcd.watch.WatchResponse;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A session's one etcd watch over its whole namespace, which serves <em>every</em> watch of the
 * session: the one-shot registrations the session keeps (through {@link Host#takeOneShot}) and the
 * persistent ones ({@link WatchMode#PERSISTENT}, {@link WatchMode#PERSISTENT_RECURSIVE}) kept here.
 *
 * <h2>How it works</h2>
 * One stream delivers the namespace's key events in revision order, so the events of different
 * watched nodes reach the session's watchers in the order of the updates (separate etcd watches
 * would deliver independently). The key layout puts each depth of the tree in a range of its own,
 * so no narrower single range would do. The price: a session that has set any watch receives every
 * change of the namespace (module README).
 *
 * <ul>
 *   <li><b>Lifetime.</b> Opened with the session's first watch and kept until the session ends: a
 *       later watch costs no etcd request. The first one-shot watch opens it at etcd's current
 *       revision (a start in the past is served by etcd 3.4's 100 ms catch-up loop) and learns that
 *       revision from the creation notice; the first persistent watch opens it right after its
 *       read's revision, so that it misses nothing.
 *   <li><b>Registration against the stream.</b> {@link #handled()} is the last revision the
 *       session has dispatched. A registration set by a read at revision {@code R} fires for the
 *       first matching change after {@code R}: if {@code R >= handled()} the stream has yet to
 *       deliver those changes; else they are in the buffer of recent events ({@link #since}), which
 *       covers every revision after {@link #floor()}; a registration older than that is judged from
 *       one more read of its node (the session's business).
 *   <li><b>Other sessions' changes</b> are turned from etcd's key events into ZooKeeper's events:
 *       a put that created the key is NODE_CREATED of the node and NODE_CHILDREN_CHANGED of its
 *       parent, a delete NODE_DELETED and NODE_CHILDREN_CHANGED, a put over a node deleted and
 *       created again in one multi both pairs, any other put NODE_DATA_CHANGED. A multi that wrote
 *       one node twice reaches etcd as one put: the net change (no {@code MULTI_EVENTS_PER_OP}).
 *   <li><b>This session's own writes</b> fire from the write path, one event per op in op order,
 *       before the write completes. The stream shows the same revision too (every write transaction
 *       of a session puts its session key): that revision is skipped. While a write of the session
 *       is in flight ({@link Host#holding}) the stream's revisions wait, and the write's outcome
 *       releases them ({@link #release}): those before the write's revision first, then the write's
 *       own events, then the rest.
 *   <li><b>Disconnects.</b> While the session is not connected nothing is delivered and the
 *       position does not move; on reconnect ({@link #resume}) the watch is opened again from the
 *       revision after the last one handled, so the changes made meanwhile arrive then, in order.
 *       If etcd compacted those revisions the stream restarts at the compaction, and the host is
 *       told ({@link Host#lost}): one-shot watches are judged from a fresh read; persistent watches
 *       lose those changes (logged).
 * </ul>
 *
 * Event thread only: every field and method, including the stream's callbacks, which are posted
 * there.
 */
final class NamespaceWatch {

  private static final Logger LOG = LoggerFactory.getLogger(NamespaceWatch.class);
  private static final long REOPEN_AFTER_ERROR_MILLIS = 200;
  /** How many recent ZooKeeper events the buffer keeps for registrations set behind the stream. */
  static final int RECENT_EVENTS = 2_048;

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

    /** Whether a write of the session is in flight: the stream's revisions wait for {@link #release}. */
    boolean holding();

    /** Removes the one-shot registrations {@code event} at {@code revision} fires; adds their watchers. */
    void takeOneShot(WatchEvent event, long revision, Map<Watcher, Boolean> targets, List<Watcher> ordered);

    /** Hands {@code event} to each of {@code watchers}. */
    void deliver(List<Watcher> watchers, WatchEvent event);

    /** The stream opened at etcd's current revision now knows it: {@link #handled()} is valid. */
    void created();

    /** etcd compacted revisions the stream had not delivered: the changes up to {@link #floor()} are lost. */
    void lost();
  }

  /** One persistent registration; {@code since} is the revision it was set at: only later changes fire it. */
  private record Registration(String path, boolean recursive, Watcher watcher, long since) {}

  /** One ZooKeeper event of the buffer of recent events. */
  record Recent(long revision, WatchEvent event) {}

  /** One revision's key events as the stream delivered them. */
  private record Group(long revision, List<io.etcd.jetcd.watch.WatchEvent> events) {}

  private final Layout layout;
  private final byte[] ownSessionKey;
  private final Host host;
  private final List<Registration> registrations = new ArrayList<>();
  /** Whether the session has its stream (it may be between two etcd watches after an error or a cut). */
  private boolean opened;
  /** The open etcd watch, or null. */
  private Watch.Watcher stream;
  /** Bumped whenever the stream is replaced: callbacks of an older stream are ignored. */
  private int generation;
  /** Whether the stream's start is known: false while one opened at etcd's current revision awaits its notice. */
  private boolean created;
  /** The last revision dispatched (or the one before the stream's start). */
  private long handled;
  /** The last revision accepted from the stream: dispatched, or waiting in {@link #held}. */
  private long received;
  /** The buffer of recent events covers every revision after this one. */
  private long floor;
  /** Set when the stream's events could not be delivered: nothing more is until {@link #resume}. */
  private boolean stale;
  private final ArrayDeque<Recent> recent = new ArrayDeque<>();
  /** Revisions that arrived while a write of the session was in flight, in order. */
  private final List<Group> held = new ArrayList<>();

  NamespaceWatch(Layout layout, long lease, Host host) {
    this.layout = layout;
    this.ownSessionKey = layout.sessionKey(lease).getBytes();
    this.host = host;
  }

  /** The persistent registrations. */
  int size() {
    return registrations.size();
  }

  /** Opens the stream at etcd's current revision if the session has none; {@link Host#created} follows. */
  void open() {
    if (!opened) {
      opened = true;
      start(0);
    }
  }

  boolean created() {
    return opened && created;
  }

  long handled() {
    return handled;
  }

  long floor() {
    return floor;
  }

  /** Whether the buffer holds every change after {@code revision} the stream has dispatched. */
  boolean covers(long revision) {
    return created() && revision >= floor;
  }

  /** The buffered events after {@code revision}, oldest first; only if {@link #covers} it. */
  List<Recent> since(long revision) {
    List<Recent> out = new ArrayList<>();
    for (Recent r : recent) {
      if (r.revision > revision) {
        out.add(r);
      }
    }
    return out;
  }

  /** Registers {@code watcher}, set at {@code revision} (a read's); a no-op if already there. */
  void add(String path, WatchMode mode, Watcher watcher, long revision) {
    boolean recursive = mode == WatchMode.PERSISTENT_RECURSIVE;
    for (Registration r : registrations) {
      if (r.path.equals(path) && r.recursive == recursive && r.watcher == watcher) {
        return;
      }
    }
    Registration reg = new Registration(path, recursive, watcher, revision);
    registrations.add(reg);
    if (!opened) {
      opened = true;
      start(revision + 1); // exactly the changes after the read
      return;
    }
    if (!created) {
      // Opened at etcd's current revision by a one-shot watch whose notice has not come: open it
      // after this read instead, and arm the waiting one-shot watches against that start.
      start(revision + 1);
      host.created();
      return;
    }
    if (revision < handled) {
      // The stream has dispatched changes after the read already: the buffer replays them.
      if (revision < floor) {
        LOG.warn("a persistent watch on {} set at revision {} misses changes up to revision {}: "
            + "the stream had passed them", path, revision, floor);
      }
      for (Recent e : since(revision)) {
        if (fires(reg, e.event)) {
          host.deliver(List.of(watcher), e.event);
        }
      }
    }
  }

  /** Removes every persistent registration of {@code watcher} on {@code path}. */
  void remove(String path, Watcher watcher) {
    registrations.removeIf(r -> r.path.equals(path) && r.watcher == watcher);
  }

  /** The session ended: everything goes. */
  void drop() {
    registrations.clear();
    closeStream();
    generation++;
    opened = false;
    stale = false;
    held.clear();
    recent.clear();
  }

  /** After a reconnect: reopens the stream (on the session's new client) after the last revision handled. */
  void resume() {
    if (!opened) {
      return;
    }
    stale = false;
    start(created ? handled + 1 : 0);
  }

  /** The persistent watchers {@code change}, made by this session's write at {@code revision}, fires. */
  List<Watcher> fireOwn(WatchEvent change, long revision) {
    return matching(change, revision);
  }

  /**
   * Dispatches the revisions that waited for a write of the session, those before {@code below}
   * ({@link Long#MAX_VALUE}: all of them).
   */
  void release(long below) {
    while (!held.isEmpty() && held.get(0).revision < below) {
      Group g = held.remove(0);
      if (!host.delivering()) {
        // Cut off meanwhile: resume() asks etcd for these again, from the position kept.
        held.clear();
        received = handled;
        stale = true;
        return;
      }
      dispatch(g);
    }
  }

  /** Opens the etcd watch after {@code fromRevision} - 1, or at etcd's current revision when 0. */
  private void start(long fromRevision) {
    closeStream();
    int gen = ++generation;
    held.clear();
    WatchOption.Builder option = WatchOption.builder().withRange(Layout.prefixEnd(layout.namespacePrefix()));
    if (fromRevision > 0) {
      if (!created) {
        created = true;
        floor = fromRevision - 1;
      }
      handled = fromRevision - 1;
      option.withRevision(fromRevision);
    } else {
      option.withCreateNotify(true);
    }
    received = handled;
    stream = host.client().getWatchClient().watch(Layout.bytes(layout.namespacePrefix()), option.build(),
        Watch.listener(
            response -> host.post(() -> onResponse(gen, response)),
            error -> host.post(() -> onError(gen, error))));
  }

  private void closeStream() {
    if (stream != null) {
      try {
        stream.close();
      } catch (RuntimeException e) {
        LOG.debug("closing the namespace watch failed: {}", e.toString());
      }
      stream = null;
    }
  }

  private void onResponse(int gen, WatchResponse response) {
    if (gen != generation) {
      return;
    }
    if (response.isCreatedNotify()) {
      if (!created) {
        created = true;
        handled = received = floor = response.getHeader().getRevision();
        host.created();
      }
      return;
    }
    if (response.getEvents().isEmpty()) {
      return;
    }
    if (stale || !host.delivering()) {
      // Not delivered, and the position stays: resume() asks etcd for these events again.
      stale = true;
      held.clear();
      received = handled;
      return;
    }
    Map<Long, List<io.etcd.jetcd.watch.WatchEvent>> byRevision = new TreeMap<>();
    for (io.etcd.jetcd.watch.WatchEvent e : response.getEvents()) {
      byRevision.computeIfAbsent(e.getKeyValue().getModRevision(), r -> new ArrayList<>()).add(e);
    }
    for (Map.Entry<Long, List<io.etcd.jetcd.watch.WatchEvent>> entry : byRevision.entrySet()) {
      long revision = entry.getKey();
      if (revision <= received) {
        continue;
      }
      received = revision;
      Group g = new Group(revision, entry.getValue());
      if (host.holding() || !held.isEmpty()) {
        held.add(g);
      } else {
        dispatch(g);
      }
    }
  }

  /** Fires what one revision of other sessions' changes fires, and buffers its events. */
  private void dispatch(Group g) {
    long revision = g.revision;
    handled = revision;
    if (isOwnWrite(g.events)) {
      return; // fired from the write path, op by op, before the write completed
    }
    for (io.etcd.jetcd.watch.WatchEvent e : g.events) {
      for (WatchEvent event : translate(e)) {
        remember(revision, event);
        Map<Watcher, Boolean> targets = new IdentityHashMap<>();
        List<Watcher> ordered = new ArrayList<>();
        host.takeOneShot(event, revision, targets, ordered);
        for (Watcher w : matching(event, revision)) {
          if (targets.put(w, Boolean.TRUE) == null) {
            ordered.add(w);
          }
        }
        if (!ordered.isEmpty()) {
          host.deliver(ordered, event);
        }
      }
    }
  }

  private void remember(long revision, WatchEvent event) {
    recent.addLast(new Recent(revision, event));
    while (recent.size() > RECENT_EVENTS) {
      // That revision is no longer whole in the buffer: only the changes after it are.
      floor = Math.max(floor, recent.removeFirst().revision);
    }
  }

  private void onError(int gen, Throwable error) {
    if (gen != generation) {
      return;
    }
    stream = null;
    boolean compacted = false;
    if (error instanceof CompactedException c) {
      long first = c.getCompactedRevision();
      if (created && first - 1 > handled) {
        LOG.warn("the namespace watch lost the changes before revision {}: etcd compacted them", first);
        handled = received = first - 1;
        floor = Math.max(floor, handled);
        recent.clear();
        compacted = true;
      }
    } else {
      LOG.debug("the namespace watch failed: {}", error.toString());
    }
    held.clear();
    received = handled;
    if (compacted) {
      host.lost();
    }
    if (!host.delivering()) {
      stale = true; // resume() reopens it
      return;
    }
    host.postLater(() -> {
      if (gen == generation && stream == null && !stale && opened) {
        start(created ? handled + 1 : 0);
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

  /** The persistent watchers, each once, of the registrations {@code event} at {@code revision} fires. */
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
