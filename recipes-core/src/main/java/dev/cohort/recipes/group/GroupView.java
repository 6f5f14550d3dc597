package dev.cohort.recipes.group;

import dev.cohort.recipes.AsyncOps;
import dev.cohort.recipes.Cohort;
import dev.cohort.recipes.ConnectionState;
import dev.cohort.recipes.ConnectionStateListener;
import dev.cohort.spi.Capability;
import dev.cohort.spi.NoNodeException;
import dev.cohort.spi.NodeData;
import dev.cohort.spi.Paths;
import dev.cohort.spi.WatchEvent;
import dev.cohort.spi.WatchMode;
import dev.cohort.spi.Watcher;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A live view of a group's member nodes that reads only what changed.
 *
 * <h2>How it works</h2>
 * A change costs each view requests in proportion to the members that changed, not to the size of
 * the group: a watch event names the node it is about, and only that node is read again. With the
 * backend's persistent watches one recursive watch on the group reports every member created,
 * updated or deleted, and the list of members is never read again after the first load; with
 * one-shot watches a child watch on the group (re-armed by each listing) reports joins and leaves,
 * a listing then tells which names are new, and a data watch on each member (re-armed by each read
 * of it) reports its updates and its deletion. A member's node is read when it is first seen and
 * after each event about it, so one join costs each view one read (persistent) or one listing and
 * one read (one-shot), where reading the whole group on every change would cost 1 + N.
 *
 * <p>Invariant: after the last change to the group the view shows exactly the final members.
 * Every change after a node's last read raises an event that marks the node (or the list) for
 * another read, and refreshes never overlap, so a later read always follows the last event. A
 * reconnect reads everything again (events may have been missed while disconnected, and a new
 * session has no watches), as does a refresh that failed.
 *
 * <p>Changes are handed to the consumer on the client's listener executor, in the order the
 * refreshes applied them, each refresh as one batch of {@link Change}s sorted by name.
 */
final class GroupView implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(GroupView.class);

  /**
   * One member that changed: {@code before} null for a join, {@code after} null for a leave. A
   * leave whose member has a static reservation carries it in {@code reserved} (else null).
   */
  record Change(String id, Member before, Member after, long afterSession, Reservation reserved) {
    Change(String id, Member before, Member after, long afterSession) {
      this(id, before, after, afterSession, null);
    }
  }

  /** A static member's reservation as read when its node was seen gone. */
  record Reservation(int version, Duration grace) {}

  private final Cohort client;
  private final AsyncOps ops;
  private final String path;
  private final boolean persistent;
  private final Consumer<List<Change>> consumer;
  /** Where static members' reservations live, one node per member id. */
  private final String reservations;
  private final Watcher watcher = this::watchEvent;
  private final ConnectionStateListener stateListener = this::connectionChanged;
  private final CompletableFuture<Void> initialized = new CompletableFuture<>();
  /** The members as last read, by id. Written by the one running refresh; read by anyone. */
  private final NavigableMap<String, Member> current = new ConcurrentSkipListMap<>();

  private final ReentrantLock lock = new ReentrantLock();
  /** Guarded by lock: a refresh is running. */
  private boolean refreshing;
  /** Guarded by lock: the member list must be read again. */
  private boolean relist = true;
  /** Guarded by lock: every member must be read again. */
  private boolean rereadAll;
  /** Guarded by lock: members to read again. */
  private final Set<String> stale = new HashSet<>();
  /** Guarded by lock. */
  private boolean closed;
  /** Guarded by lock: the session that holds the persistent watch, or 0. */
  private long watchedSession;

  private GroupView(Cohort client, String path, Consumer<List<Change>> consumer) {
    this.client = client;
    this.ops = client.async();
    this.path = path;
    this.consumer = consumer;
    this.reservations = GroupMember.reservationsOf(path);
    this.persistent = client.backend().has(Capability.PERSISTENT_WATCHES);
  }

  /** Starts a view of {@code path}'s children; returns once the first snapshot is loaded. */
  static GroupView start(Cohort client, String path, Consumer<List<Change>> consumer) throws InterruptedException {
    GroupView view = new GroupView(client, path, consumer);
    client.addConnectionStateListener(view.stateListener);
    view.requestRefresh();
    try {
      view.initialized.get();
    } catch (ExecutionException e) {
      view.close();
      if (unwrap(e) instanceof RuntimeException re) {
        throw re;
      }
      throw new IllegalStateException(unwrap(e));
    } catch (InterruptedException e) {
      view.close();
      throw e;
    }
    return view;
  }

  /** The members as last read, by id, sorted; a live unmodifiable view. */
  Map<String, Member> members() {
    return Collections.unmodifiableMap(current);
  }

  private void watchEvent(WatchEvent event) {
    lock.lock();
    try {
      if (event.path().equals(path)) {
        relist = true;
      } else if (event.path().startsWith(path.equals("/") ? "/" : path + "/")) {
        String rest = event.path().substring(path.equals("/") ? 1 : path.length() + 1);
        if (rest.indexOf('/') < 0) {
          stale.add(rest);
        }
      }
    } finally {
      lock.unlock();
    }
    requestRefresh();
  }

  private void connectionChanged(Cohort c, ConnectionState state) {
    if (state.isConnected()) {
      lock.lock();
      try {
        relist = true;
        rereadAll = true;
      } finally {
        lock.unlock();
      }
      requestRefresh();
    }
  }

  private void requestRefresh() {
    lock.lock();
    try {
      if (closed || refreshing || !(relist || rereadAll || !stale.isEmpty())) {
        return;
      }
      refreshing = true;
    } finally {
      lock.unlock();
    }
    refresh();
  }

  private void refresh() {
    boolean list;
    Set<String> toRead;
    lock.lock();
    try {
      list = relist;
      toRead = new HashSet<>(stale);
      if (rereadAll) {
        toRead.addAll(current.keySet());
      }
      relist = false;
      rereadAll = false;
      stale.clear();
    } finally {
      lock.unlock();
    }
    CompletableFuture<List<Change>> next;
    try {
      next = ensurePersistentWatch()
          .thenCompose(ignored -> list ? relist(toRead) : readMembers(toRead, Set.of()))
          .thenCompose(this::readReservations);
    } catch (IllegalStateException unusable) {
      next = CompletableFuture.failedFuture(unusable); // the client was closed under the view
    }
    next.whenComplete((changes, error) -> {
      if (error == null) {
        if (!changes.isEmpty()) {
          client.listenerExecutor().execute(() -> consumer.accept(changes));
        }
        initialized.complete(null);
      } else {
        log.debug("group view {}: refresh failed, reading again after the next reconnect: {}", path,
            unwrap(error).toString());
        initialized.completeExceptionally(unwrap(error));
      }
      boolean again;
      lock.lock();
      try {
        if (error != null) {
          // Read it all again, but not before the next reconnect (whose listener asks for it).
          relist = true;
          rereadAll = true;
          refreshing = false;
          return;
        }
        again = !closed && (relist || rereadAll || !stale.isEmpty());
        refreshing = again;
      } finally {
        lock.unlock();
      }
      if (again) {
        client.workExecutor().execute(this::refresh); // off this stack: a backend may complete inline
      }
    });
  }

  private CompletableFuture<Void> ensurePersistentWatch() {
    if (!persistent) {
      return CompletableFuture.completedFuture(null);
    }
    long session = client.sessionId();
    lock.lock();
    try {
      if (watchedSession == session) {
        return CompletableFuture.completedFuture(null);
      }
    } finally {
      lock.unlock();
    }
    return ops.addWatch(path, WatchMode.PERSISTENT_RECURSIVE, watcher).thenRun(() -> {
      lock.lock();
      try {
        watchedSession = session;
      } finally {
        lock.unlock();
      }
    });
  }

  /** Lists the members: the new ones are read, the missing ones have left. */
  private CompletableFuture<List<Change>> relist(Set<String> toRead) {
    Watcher w = persistent ? null : watcher;
    return ops.getChildren(path, w).handle((children, error) -> {
      if (error != null) {
        if (!(unwrap(error) instanceof NoNodeException)) {
          return CompletableFuture.<List<Change>>failedFuture(unwrap(error));
        }
        // No child watch is set on a missing node: watch for its creation instead.
        return ops.exists(path, w).thenCompose(stat -> {
          if (stat != null) {
            markRelist();
          }
          return readMembers(Set.of(), current.keySet());
        });
      }
      Set<String> names = new HashSet<>(children.names());
      Set<String> read = new HashSet<>(toRead);
      for (String name : names) {
        if (!current.containsKey(name)) {
          read.add(name);
        }
      }
      Set<String> gone = new HashSet<>();
      for (String name : current.keySet()) {
        if (!names.contains(name)) {
          gone.add(name);
        }
      }
      read.removeAll(gone);
      return readMembers(read, gone);
    }).thenCompose(f -> f);
  }

  private void markRelist() {
    lock.lock();
    try {
      relist = true;
    } finally {
      lock.unlock();
    }
  }

  /** Reads {@code names} (setting a data watch on each, with one-shot watches) and drops {@code gone}. */
  private CompletableFuture<List<Change>> readMembers(Set<String> names, Set<String> gone) {
    Watcher w = persistent ? null : watcher;
    Map<String, CompletableFuture<NodeData>> reads = new HashMap<>();
    for (String name : names) {
      reads.put(name, ops.getData(Paths.join(path, name), w).handle((data, error) -> {
        if (error == null) {
          return data;
        }
        if (unwrap(error) instanceof NoNodeException) {
          return null; // left since: gone
        }
        throw new CompletionException(unwrap(error));
      }));
    }
    Set<String> dropped = new HashSet<>(gone);
    return CompletableFuture.allOf(reads.values().toArray(CompletableFuture[]::new)).thenApply(ignored -> {
      List<Change> changes = new ArrayList<>();
      reads.forEach((name, read) -> {
        NodeData data = read.join();
        if (data == null) {
          dropped.add(name);
          return;
        }
        Member after = new Member(name, data.data(), data.stat().czxid(), data.stat().version());
        Member before = current.put(name, after);
        if (before == null || !before.sameStateAs(after)) {
          changes.add(new Change(name, before, after, data.stat().ephemeralOwner()));
        }
      });
      for (String name : dropped) {
        Member before = current.remove(name);
        if (before != null) {
          changes.add(new Change(name, before, null, 0));
        }
      }
      changes.sort(java.util.Comparator.comparing(Change::id));
      return changes;
    });
  }

  /**
   * Reads the reservation of each member that left (one read per leave, none otherwise): a leave
   * with a live reservation is a static member that may come back within its grace period.
   */
  private CompletableFuture<List<Change>> readReservations(List<Change> changes) {
    List<CompletableFuture<Change>> annotated = new ArrayList<>();
    for (Change change : changes) {
      if (change.after() != null) {
        annotated.add(CompletableFuture.completedFuture(change));
        continue;
      }
      annotated.add(ops.getData(Paths.join(reservations, change.id()), null).handle((data, error) -> {
        if (error != null) {
          if (!(unwrap(error) instanceof NoNodeException)) {
            // The view already dropped the member: failing the refresh would lose the leave.
            log.debug("group view {}: could not read {}'s reservation, reporting a leave: {}", path,
                change.id(), unwrap(error).toString());
          }
          return change; // not reserved (or unknown): an ordinary leave
        }
        Duration grace = GroupMember.parseGrace(data.data());
        return grace == null ? change
            : new Change(change.id(), change.before(), null, 0, new Reservation(data.stat().version(), grace));
      }));
    }
    return CompletableFuture.allOf(annotated.toArray(CompletableFuture[]::new))
        .thenApply(ignored -> annotated.stream().map(CompletableFuture::join).toList());
  }

  /** Stops following changes and removes the view's watches. Idempotent; does not block. */
  @Override
  public void close() {
    lock.lock();
    try {
      if (closed) {
        return;
      }
      closed = true;
    } finally {
      lock.unlock();
    }
    client.removeConnectionStateListener(stateListener);
    if (!client.isLiveSession(client.sessionId())) {
      return; // the watches went with the session
    }
    ops.removeWatches(path, watcher);
    if (!persistent) {
      for (String name : current.keySet()) {
        ops.removeWatches(Paths.join(path, name), watcher);
      }
    }
  }

  private static Throwable unwrap(Throwable t) {
    while ((t instanceof CompletionException || t instanceof ExecutionException) && t.getCause() != null) {
      t = t.getCause();
    }
    return t;
  }
}
