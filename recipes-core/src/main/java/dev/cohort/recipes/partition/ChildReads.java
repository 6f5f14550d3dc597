package dev.cohort.recipes.partition;

import dev.cohort.recipes.AsyncOps;
import dev.cohort.recipes.Cohort;
import dev.cohort.spi.Capability;
import dev.cohort.spi.CoordinationException;
import dev.cohort.spi.NoNodeException;
import dev.cohort.spi.NodeData;
import dev.cohort.spi.Paths;
import dev.cohort.spi.WatchEvent;
import dev.cohort.spi.WatchMode;
import dev.cohort.spi.Watcher;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The data of the children of one path, read once and then again only after a watch event names
 * the child: what lets a round of {@link PartitionClaimer} read the owner and member nodes that
 * changed since its last round instead of all of them.
 *
 * <p>Each read sets a one-shot data watch on the child, or, with the backend's persistent watches,
 * one recursive watch on the parent serves every child. An event (the child updated or deleted)
 * records the child's name; the next {@link #read} forgets it and reads it again, so a
 * node deleted and created again between two rounds is never taken for the one read before. The
 * event also calls {@code onEvent} (the claimer's "something changed"). A new session has no
 * watches, and events may be missed while disconnected: {@link #forgetAll} (on every reconnect)
 * makes the next read start afresh.
 *
 * <p>{@link #read} runs on one thread (the claimer's loop); events come on any thread.
 */
final class ChildReads {
  private final Cohort client;
  private final AsyncOps ops;
  private final String parent;
  private final boolean persistent;
  private final Runnable onEvent;
  private final Watcher watcher = this::event;
  /** Children whose data may have changed since it was read; written by events. */
  private final Set<String> invalid = ConcurrentHashMap.newKeySet();
  /** Set by {@link #forgetAll}, from any thread. */
  private volatile boolean forget;
  /** Loop thread only: the data last read, by child name. */
  private final Map<String, NodeData> known = new HashMap<>();
  /** Loop thread only: the session whose watches serve {@link #known}; 0 before the first read. */
  private long session;

  ChildReads(Cohort client, String parent, Runnable onEvent) {
    this.client = client;
    this.ops = client.async();
    this.parent = parent;
    this.onEvent = onEvent;
    this.persistent = client.backend().has(Capability.PERSISTENT_WATCHES);
  }

  private void event(WatchEvent event) {
    String path = event.path();
    // A creation invalidates nothing: a node created again was deleted first, and that deletion's
    // event invalidates it (and a creation's event often comes after the listing that showed it).
    if (event.type() != WatchEvent.Type.NODE_CREATED && path.length() > parent.length() + 1 && path.startsWith(parent) && path.charAt(parent.length()) == '/') {
      invalid.add(path.substring(parent.length() + 1));
    }
    onEvent.run();
  }

  /** Makes the next {@link #read} read every child again (after a reconnect or a session loss). */
  void forgetAll() {
    forget = true;
  }

  /**
   * The data of each of {@code names} that still exists, reading only children not read before or
   * changed since. Children not in {@code names} are forgotten.
   *
   * @throws CoordinationException if a read failed other than for a deleted child
   */
  Map<String, NodeData> read(Collection<String> names) throws InterruptedException {
    long now = client.sessionId();
    if (forget || now != session) {
      forget = false;
      known.clear();
      invalid.clear();
      if (persistent) {
        PartitionClaimer.await(ops.addWatch(parent, WatchMode.PERSISTENT_RECURSIVE, watcher));
      }
      session = now;
    }
    for (String name : List.copyOf(invalid)) {
      invalid.remove(name); // an event after this removal stays for the next read
      known.remove(name);
    }
    Set<String> wanted = new HashSet<>(names);
    known.keySet().retainAll(wanted);
    List<String> missing = new ArrayList<>();
    for (String name : wanted) {
      if (!known.containsKey(name)) {
        missing.add(name);
      }
    }
    List<CompletableFuture<NodeData>> reads = new ArrayList<>(missing.size());
    for (String name : missing) {
      reads.add(ops.getData(Paths.join(parent, name), persistent ? null : watcher));
    }
    for (int i = 0; i < reads.size(); i++) {
      try {
        known.put(missing.get(i), PartitionClaimer.await(reads.get(i)));
      } catch (NoNodeException gone) {
        // deleted since the listing: absent. Any other failure ends the round.
      }
    }
    return Map.copyOf(known);
  }

  /** Removes the persistent watch, if any (one-shot watches end with their nodes or the session). */
  void close() {
    if (persistent && session != 0 && client.isLiveSession(session)) {
      ops.removeWatches(parent, watcher);
    }
  }
}
