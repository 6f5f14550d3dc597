package dev.cohort.recipes.cache;

import dev.cohort.recipes.Cohort;
import dev.cohort.recipes.cache.ChildrenCacheListener.Type;
import dev.cohort.spi.NoNodeException;
import dev.cohort.spi.NodeData;
import dev.cohort.spi.Paths;
import dev.cohort.spi.WatchMode;
import dev.cohort.spi.Stat;
import dev.cohort.spi.WatchEvent;
import dev.cohort.spi.Watcher;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A live copy of the children of one path, with their data, and a listener told of every child
 * added, updated and removed.
 *
 * <p>Guarantees: after the last change to the children the cache ends up showing exactly the final
 * children and data, whatever disconnects or session losses happened on the way (it re-reads after
 * every reconnect); listeners see changes in order, merged between two reads; the path may be
 * missing (the cache is then empty) and come and go; {@link #close()} removes every watch the cache
 * set. With the backend's persistent watches one recursive watch serves the whole cache, otherwise
 * one-shot watches on the path and on each child.
 *
 * <p>Cost: a change costs what changed, not the number of children. With a persistent watch the
 * event names the child, so a child's data change or create costs one read of that child and a
 * delete costs none. With one-shot watches a data change costs one read of that child (which also
 * sets its next watch); a change to the list of children costs one listing plus one read per added
 * child (removed ones are dropped). Only the first load and a reconnect read every child again,
 * since changes may have been missed meanwhile. A reply about an older state of a child than the
 * one cached (by czxid, then mzxid, then version) never replaces it.
 *
 * <p>Thread-safe. The snapshot methods never block.
 */
public final class ChildrenCache extends WatchedCache<ChildrenCache.Update> {

  private final List<ChildrenCacheListener> listeners = new CopyOnWriteArrayList<>();
  /** The latest snapshot, by child name; replaced whole, never mutated. */
  private volatile Map<String, ChildData> current = Map.of();
  /**
   * Guards itself and the two flags: children to read again (true) or drop (false) at the next
   * refresh, by name, from watch events.
   */
  private final Map<String, Boolean> pending = new LinkedHashMap<>();
  /** Guarded by pending: list the children at the next refresh (reading only the new ones). */
  private boolean listChildren;
  /** Guarded by pending: read every child at the next refresh (first load, reconnects). */
  private boolean readEverything = true;

  /** A refresh's outcome: the next snapshot and what changed, in order. */
  record Update(Map<String, ChildData> children, List<Change> changes) {}

  /** One change to tell listeners of. */
  record Change(Type type, ChildData child) {}

  private ChildrenCache(Cohort client, String path, boolean allowPersistentWatches) {
    super(client, path, allowPersistentWatches);
  }

  /**
   * Starts a cache of the children of {@code path}: returns once the first snapshot is loaded.
   * {@code listener} (may be null) is told of the initial children as ADDED.
   */
  public static ChildrenCache start(Cohort client, String path, ChildrenCacheListener listener)
      throws InterruptedException {
    return start(client, path, listener, true);
  }

  /**
   * As {@link #start(Cohort, String, ChildrenCacheListener)}; with {@code allowPersistentWatches}
   * false, one-shot watches are used even where the backend offers persistent ones.
   */
  public static ChildrenCache start(Cohort client, String path, ChildrenCacheListener listener,
      boolean allowPersistentWatches) throws InterruptedException {
    Objects.requireNonNull(client, "client");
    ChildrenCache cache = new ChildrenCache(client, path, allowPersistentWatches);
    if (listener != null) {
      cache.listeners.add(listener);
    }
    try {
      cache.startAndAwait();
    } catch (RuntimeException | InterruptedException e) {
      cache.close();
      throw e;
    }
    return cache;
  }

  /** Adds a listener for changes from now on. */
  public void addListener(ChildrenCacheListener listener) {
    listeners.add(Objects.requireNonNull(listener, "listener"));
  }

  /** Removes a listener. */
  public void removeListener(ChildrenCacheListener listener) {
    listeners.remove(listener);
  }

  /** The children as last read, by name, sorted; unmodifiable. */
  public Map<String, ChildData> children() {
    return current;
  }

  /** Whether this cache uses one persistent watch (else one-shot watches). */
  public boolean usesPersistentWatch() {
    return persistent;
  }

  @Override
  WatchMode persistentMode() {
    return WatchMode.PERSISTENT_RECURSIVE;
  }

  @Override
  Iterable<String> watchedPaths() {
    List<String> paths = new ArrayList<>();
    current.keySet().forEach(name -> paths.add(Paths.join(path, name)));
    return paths;
  }

  @Override
  void markStale() {
    synchronized (pending) {
      readEverything = true;
    }
  }

  @Override
  void onEvent(WatchEvent event) {
    String name = childName(event.path());
    synchronized (pending) {
      if (name == null) {
        if (!event.path().equals(path) || event.type() == WatchEvent.Type.NODE_DATA_CHANGED) {
          return; // a grandchild (recursive watch), or the parent's own data: not cached
        }
        listChildren = true; // children changed, or the path came or went
      } else if (event.type() == WatchEvent.Type.NODE_DELETED && persistent) {
        // The recursive watch reports every later create of the name too: drop without a read.
        pending.put(name, Boolean.FALSE);
      } else {
        // One-shot mode reads a deleted child too: a re-create between a listing and this event
        // would otherwise be dropped with no watch left to report it.
        pending.put(name, Boolean.TRUE);
      }
    }
    requestRefresh();
  }

  /** The child name if {@code eventPath} is a direct child of the cached path, else null. */
  private String childName(String eventPath) {
    String prefix = path.equals("/") ? "/" : path + "/";
    if (!eventPath.startsWith(prefix) || eventPath.length() == prefix.length()) {
      return null;
    }
    String name = eventPath.substring(prefix.length());
    return name.indexOf('/') >= 0 ? null : name;
  }

  @Override
  CompletableFuture<Update> read() {
    boolean everything;
    boolean list;
    Map<String, Boolean> children;
    synchronized (pending) {
      everything = readEverything;
      list = listChildren;
      children = new LinkedHashMap<>(pending);
      readEverything = false;
      listChildren = false;
      pending.clear();
    }
    // Refreshes never overlap and apply() runs before the next one starts: current is stable here.
    Map<String, ChildData> base = current;
    var w = persistent ? null : watcher;
    if (!everything && !list) {
      TreeMap<String, ChildData> next = new TreeMap<>(base);
      List<String> toRead = new ArrayList<>();
      children.forEach((name, read) -> {
        if (read) {
          toRead.add(name);
        } else {
          next.remove(name);
        }
      });
      return readChildren(toRead, w, next).thenApply(done -> diff(base, done, children.keySet()));
    }
    return ops.getChildren(path, w).handle((listing, error) -> {
      if (error != null) {
        if (unwrap(error) instanceof NoNodeException) {
          // No child watch is set on a missing node: watch for its creation instead.
          return ops.exists(path, w).thenApply(stat -> {
            if (stat != null) {
              synchronized (pending) {
                listChildren = true;
              }
              requestRefresh();
            }
            return diff(base, new TreeMap<>(), base.keySet());
          });
        }
        return CompletableFuture.<Update>failedFuture(unwrap(error));
      }
      Set<String> names = new HashSet<>(listing.names());
      TreeMap<String, ChildData> next = new TreeMap<>(base);
      Set<String> changed = new HashSet<>();
      List<String> toRead = new ArrayList<>();
      if (everything) {
        // After a reconnect changes may have been missed: read every child again.
        changed.addAll(base.keySet());
        next.keySet().retainAll(names);
        toRead.addAll(listing.names());
      } else {
        for (String name : base.keySet()) {
          if (!names.contains(name)) {
            next.remove(name);
            changed.add(name);
          }
        }
        for (String name : listing.names()) {
          if (!base.containsKey(name) || Boolean.TRUE.equals(children.get(name))) {
            toRead.add(name);
          }
        }
        children.forEach((name, read) -> {
          if (!read && !names.contains(name)) {
            next.remove(name);
          }
        });
      }
      changed.addAll(toRead);
      return readChildren(toRead, w, next).thenApply(done -> diff(base, done, changed));
    }).thenCompose(f -> f);
  }

  /**
   * Reads {@code names} (setting {@code w} on each) into {@code into}: a missing child is removed,
   * a reply older than what {@code into} holds is ignored.
   */
  private CompletableFuture<TreeMap<String, ChildData>> readChildren(List<String> names, Watcher w,
      TreeMap<String, ChildData> into) {
    List<CompletableFuture<ChildData>> reads = new ArrayList<>(names.size());
    for (String name : names) {
      String child = Paths.join(path, name);
      reads.add(ops.getData(child, w).handle((NodeData data, Throwable error) -> {
        if (error != null) {
          if (unwrap(error) instanceof NoNodeException) {
            return null; // deleted since the listing or the event; its removal is reported too
          }
          throw new CompletionException(unwrap(error));
        }
        return new ChildData(child, data.data(), data.stat());
      }));
    }
    return CompletableFuture.allOf(reads.toArray(CompletableFuture[]::new)).thenApply(ignored -> {
      for (int i = 0; i < names.size(); i++) {
        ChildData fresh = reads.get(i).join();
        if (fresh == null) {
          into.remove(names.get(i));
        } else {
          into.merge(fresh.name(), fresh, ChildrenCache::newer);
        }
      }
      return into;
    });
  }

  /**
   * The newer of two reads of one child: a reply about an older incarnation (lower czxid) or an
   * older state of the same one (lower mzxid, then version) never replaces a newer one.
   */
  static ChildData newer(ChildData cached, ChildData fresh) {
    Stat a = cached.stat();
    Stat b = fresh.stat();
    if (b.czxid() != a.czxid()) {
      return b.czxid() > a.czxid() ? fresh : cached;
    }
    if (b.mzxid() != a.mzxid()) {
      return b.mzxid() > a.mzxid() ? fresh : cached;
    }
    return b.version() >= a.version() ? fresh : cached;
  }

  /** The next snapshot and the changes from {@code before}, looking only at {@code names}. */
  private static Update diff(Map<String, ChildData> before, TreeMap<String, ChildData> after,
      Collection<String> names) {
    List<Change> changes = new ArrayList<>();
    for (String name : new TreeSet<>(names)) {
      ChildData was = before.get(name);
      ChildData now = after.get(name);
      if (was == null && now != null) {
        changes.add(new Change(Type.ADDED, now));
      } else if (was != null && now == null) {
        changes.add(new Change(Type.REMOVED, was));
      } else if (was != null && !was.sameStateAs(now)) {
        changes.add(new Change(Type.UPDATED, now));
      }
    }
    return new Update(Collections.unmodifiableMap(after), changes);
  }

  @Override
  void apply(Update update) {
    current = update.children();
    List<Change> changes = update.changes();
    if (!changes.isEmpty()) {
      client.listenerExecutor().execute(() -> changes.forEach(c -> fire(c.type(), c.child())));
    }
  }

  private void fire(Type type, ChildData child) {
    for (ChildrenCacheListener listener : listeners) {
      listener.childEvent(type, child);
    }
  }
}
