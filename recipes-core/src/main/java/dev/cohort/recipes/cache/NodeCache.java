package dev.cohort.recipes.cache;

import dev.cohort.recipes.Cohort;
import dev.cohort.spi.NoNodeException;
import dev.cohort.spi.WatchMode;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A live copy of one node's data, and a listener told when it is created, changed or deleted.
 *
 * <p>Guarantees: after the last change the cache shows the node's final state, whatever disconnects
 * or session losses happened on the way (it re-reads after every reconnect); the listener sees
 * changes in order, merged between two reads, and never the same state twice in a row; {@link
 * #close()} removes the cache's watch. With the backend's persistent watches one persistent watch
 * serves the cache, otherwise a one-shot watch re-armed on every read.
 *
 * <p>Thread-safe. {@link #current()} never blocks.
 */
public final class NodeCache extends WatchedCache<Optional<ChildData>> {

  private final List<NodeCacheListener> listeners = new CopyOnWriteArrayList<>();
  private volatile Optional<ChildData> current = Optional.empty();

  private NodeCache(Cohort client, String path, boolean allowPersistentWatches) {
    super(client, path, allowPersistentWatches);
  }

  /**
   * Starts a cache of {@code path}: returns once the first read is in. {@code listener} (may be
   * null) is told of the initial state if the node exists.
   */
  public static NodeCache start(Cohort client, String path, NodeCacheListener listener) throws InterruptedException {
    return start(client, path, listener, true);
  }

  /** As {@link #start(Cohort, String, NodeCacheListener)}, optionally never using persistent watches. */
  public static NodeCache start(Cohort client, String path, NodeCacheListener listener,
      boolean allowPersistentWatches) throws InterruptedException {
    Objects.requireNonNull(client, "client");
    NodeCache cache = new NodeCache(client, path, allowPersistentWatches);
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
  public void addListener(NodeCacheListener listener) {
    listeners.add(Objects.requireNonNull(listener, "listener"));
  }

  /** Removes a listener. */
  public void removeListener(NodeCacheListener listener) {
    listeners.remove(listener);
  }

  /** The node as last read, or empty if it did not exist. */
  public Optional<ChildData> current() {
    return current;
  }

  /** Whether this cache uses one persistent watch (else one-shot watches). */
  public boolean usesPersistentWatch() {
    return persistent;
  }

  @Override
  WatchMode persistentMode() {
    return WatchMode.PERSISTENT;
  }

  @Override
  Iterable<String> watchedPaths() {
    return List.of();
  }

  @Override
  CompletableFuture<Optional<ChildData>> read() {
    var w = persistent ? null : watcher;
    return ops.getData(path, w).handle((data, error) -> {
      if (error == null) {
        return CompletableFuture.completedFuture(Optional.of(new ChildData(path, data.data(), data.stat())));
      }
      if (unwrap(error) instanceof NoNodeException) {
        // getData sets no watch on a missing node; exists does.
        return ops.exists(path, w).thenApply(stat -> {
          if (stat != null) {
            requestRefresh();
          }
          return Optional.<ChildData>empty();
        });
      }
      return CompletableFuture.<Optional<ChildData>>failedFuture(unwrap(error));
    }).thenCompose(f -> f);
  }

  @Override
  void apply(Optional<ChildData> snapshot) {
    Optional<ChildData> previous = current;
    if (previous.isPresent() && snapshot.isPresent()
        && ChildrenCache.newer(previous.get(), snapshot.get()) == previous.get()
        && !previous.get().sameStateAs(snapshot.get())) {
      return; // a reply about an older state than the one shown: never go back
    }
    current = snapshot;
    boolean same = previous.isPresent() == snapshot.isPresent()
        && (previous.isEmpty() || previous.get().sameStateAs(snapshot.get()));
    if (!same) {
      client.listenerExecutor().execute(() -> listeners.forEach(l -> l.nodeChanged(snapshot)));
    }
  }
}
