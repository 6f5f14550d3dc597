package dev.cohort.recipes.cache;

import dev.cohort.recipes.Cohort;
import dev.cohort.recipes.cache.ChildrenCacheListener.Type;
import dev.cohort.spi.NoNodeException;
import dev.cohort.spi.NodeData;
import dev.cohort.spi.Paths;
import dev.cohort.spi.WatchMode;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
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
 * <p>Thread-safe. The snapshot methods never block.
 */
public final class ChildrenCache extends WatchedCache<Map<String, ChildData>> {

  private final List<ChildrenCacheListener> listeners = new CopyOnWriteArrayList<>();
  /** The latest snapshot, by child name; replaced whole, never mutated. */
  private volatile Map<String, ChildData> current = Map.of();

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
  CompletableFuture<Map<String, ChildData>> read() {
    var w = persistent ? null : watcher;
    return ops.getChildren(path, w).handle((children, error) -> {
      if (error != null) {
        if (unwrap(error) instanceof NoNodeException) {
          // No child watch is set on a missing node: watch for its creation instead.
          return ops.exists(path, w).thenApply(stat -> {
            if (stat != null) {
              requestRefresh();
            }
            return Map.<String, ChildData>of();
          });
        }
        return CompletableFuture.<Map<String, ChildData>>failedFuture(unwrap(error));
      }
      return readAll(children.names(), w);
    }).thenCompose(f -> f);
  }

  private CompletableFuture<Map<String, ChildData>> readAll(List<String> names, dev.cohort.spi.Watcher w) {
    List<CompletableFuture<ChildData>> reads = new ArrayList<>(names.size());
    for (String name : names) {
      String child = Paths.join(path, name);
      reads.add(ops.getData(child, w).handle((NodeData data, Throwable error) -> {
        if (error != null) {
          if (unwrap(error) instanceof NoNodeException) {
            return null; // deleted since the listing; the child watch reports it
          }
          throw new java.util.concurrent.CompletionException(unwrap(error));
        }
        return new ChildData(child, data.data(), data.stat());
      }));
    }
    return CompletableFuture.allOf(reads.toArray(CompletableFuture[]::new)).thenApply(ignored -> {
      Map<String, ChildData> snapshot = new TreeMap<>();
      for (CompletableFuture<ChildData> read : reads) {
        ChildData child = read.join();
        if (child != null) {
          snapshot.put(child.name(), child);
        }
      }
      return Collections.unmodifiableMap(snapshot);
    });
  }

  @Override
  void apply(Map<String, ChildData> snapshot) {
    Map<String, ChildData> previous = current;
    current = snapshot;
    List<Runnable> events = new ArrayList<>();
    for (ChildData child : snapshot.values()) {
      ChildData before = previous.get(child.name());
      if (before == null) {
        events.add(() -> fire(Type.ADDED, child));
      } else if (!before.sameStateAs(child)) {
        events.add(() -> fire(Type.UPDATED, child));
      }
    }
    for (ChildData before : previous.values()) {
      if (!snapshot.containsKey(before.name())) {
        events.add(() -> fire(Type.REMOVED, before));
      }
    }
    if (!events.isEmpty()) {
      client.listenerExecutor().execute(() -> events.forEach(Runnable::run));
    }
  }

  private void fire(Type type, ChildData child) {
    for (ChildrenCacheListener listener : listeners) {
      listener.childEvent(type, child);
    }
  }
}
