package dev.cohort.recipes.cache;

import dev.cohort.recipes.AsyncOps;
import dev.cohort.recipes.Cohort;
import dev.cohort.recipes.ConnectionState;
import dev.cohort.recipes.ConnectionStateListener;
import dev.cohort.spi.Capability;
import dev.cohort.spi.CoordinationException;
import dev.cohort.spi.Paths;
import dev.cohort.spi.WatchEvent;
import dev.cohort.spi.WatchMode;
import dev.cohort.spi.Watcher;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.locks.ReentrantLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What both caches share: one watcher, coalesced re-reads, and re-reading after reconnects.
 *
 * <h2>How it works</h2>
 * Every watch event and every reconnect asks for a refresh. Refreshes never overlap: a request that
 * arrives while one runs marks the cache dirty, and one more refresh follows. So the last refresh
 * starts after the last event and the cache always ends on the final state, though intermediate
 * states between two reads may be merged. A subclass may narrow what a refresh reads to what the
 * events since the last one named ({@link #onEvent}); a reconnect asks for a full read
 * ({@link #markStale}).
 *
 * <p>Watches: with {@link Capability#PERSISTENT_WATCHES} one persistent watch (recursive for the
 * children cache) is added per session and reads set none; otherwise each read re-arms one-shot
 * watches with the same watcher object, which the service keeps once per path (watchers are
 * compared by identity), so repeated reads do not pile up registrations. {@link #close()} removes
 * them. After a session loss the new session has no watches: the next refresh sets them again.
 *
 * <p>Refreshes run on backend threads and never block; listeners are called on the client's
 * listener executor.
 */
abstract class WatchedCache<S> implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(WatchedCache.class);

  final Cohort client;
  final AsyncOps ops;
  final String path;
  final boolean persistent;
  /** The one watcher object every registration of this cache uses. */
  final Watcher watcher = this::onEvent;
  private final ConnectionStateListener stateListener = this::connectionChanged;
  private final CompletableFuture<Void> initialized = new CompletableFuture<>();
  /** The client's event listener, or null. */
  private final dev.cohort.recipes.CohortEvents events;

  private final ReentrantLock lock = new ReentrantLock();
  /** Guarded by lock. */
  private boolean refreshing;
  /** Guarded by lock: a refresh was asked for while one was running. */
  private boolean dirty;
  /** Guarded by lock. */
  private boolean closed;
  /** Guarded by lock: the session that holds our persistent watch, or 0. */
  private long watchedSession;

  WatchedCache(Cohort client, String path, boolean allowPersistentWatches) {
    this.client = client;
    this.ops = client.async();
    this.events = client.events().orElse(null);
    Paths.validate(path);
    this.path = path;
    this.persistent = allowPersistentWatches && client.backend().has(Capability.PERSISTENT_WATCHES);
  }

  /** A watch event arrived: by default, read everything again. */
  void onEvent(WatchEvent event) {
    requestRefresh();
  }

  /** Changes may have been missed (a reconnect): the next read must read everything. */
  void markStale() {}

  /** Whether a refresh is running or due (for tests that count requests). */
  final boolean isRefreshing() {
    lock.lock();
    try {
      return refreshing;
    } finally {
      lock.unlock();
    }
  }

  /** Reads the current state; sets one-shot watches with {@link #watcher} unless persistent. */
  abstract CompletableFuture<S> read();

  /** Takes a fresh snapshot: replaces the current one and tells listeners what changed. */
  abstract void apply(S snapshot);

  /** The watch mode used when the backend has persistent watches. */
  abstract WatchMode persistentMode();

  /** Paths to remove one-shot watches from on close. */
  abstract Iterable<String> watchedPaths();

  /**
   * Loads the first snapshot and starts following changes. Blocks, interruptibly, until the first
   * snapshot is in.
   *
   * @throws CoordinationException if the first read failed (the service unreachable within the
   *     client's retry policy); the cache then keeps trying after the next reconnect
   * @throws IllegalStateException if the client is not started or is closed
   */
  void startAndAwait() throws InterruptedException {
    client.checkUsable();
    client.addConnectionStateListener(stateListener);
    requestRefresh();
    try {
      initialized.get();
    } catch (ExecutionException e) {
      if (e.getCause() instanceof RuntimeException re) {
        throw re;
      }
      throw new IllegalStateException(e.getCause());
    }
  }

  final void requestRefresh() {
    lock.lock();
    try {
      if (closed) {
        return;
      }
      if (refreshing) {
        dirty = true;
        return;
      }
      refreshing = true;
    } finally {
      lock.unlock();
    }
    refresh();
  }

  private void refresh() {
    CompletableFuture<S> next;
    try {
      next = ensurePersistentWatch().thenCompose(ignored -> read());
    } catch (IllegalStateException unusable) {
      // The client was closed under the cache (an operation refuses at once): end this refresh as
      // failed instead of throwing into whichever thread asked for it.
      next = CompletableFuture.failedFuture(unusable);
    }
    next.whenComplete((snapshot, error) -> {
      if (events != null) {
        events.cacheRefreshed(path, error == null);
      }
      if (error == null) {
        if (!isClosed()) {
          apply(snapshot);
        }
        initialized.complete(null);
      } else {
        Throwable cause = unwrap(error);
        // What this refresh was to read is lost with it: the next one reads everything.
        markStale();
        log.debug("cache {}: refresh failed, retrying after the next reconnect: {}", path, cause.toString());
        initialized.completeExceptionally(cause);
      }
      boolean again;
      lock.lock();
      try {
        again = dirty && !closed;
        dirty = false;
        refreshing = again;
      } finally {
        lock.unlock();
      }
      if (again) {
        // Hop off this stack: a backend that completes on the caller's thread would recurse.
        client.workExecutor().execute(this::refresh);
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
    return ops.addWatch(path, persistentMode(), watcher).thenRun(() -> {
      lock.lock();
      try {
        watchedSession = session;
      } finally {
        lock.unlock();
      }
    });
  }

  private void connectionChanged(Cohort c, ConnectionState state) {
    // After any reconnect changes may have been missed (and after a session loss our watches are
    // gone): read again, which also sets the watches again.
    if (state.isConnected()) {
      markStale();
      requestRefresh();
    }
  }

  final boolean isClosed() {
    lock.lock();
    try {
      return closed;
    } finally {
      lock.unlock();
    }
  }

  /** Stops following changes and removes this cache's watches. Idempotent; does not block. */
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
      return; // never started, or the watches went with the session
    }
    ops.removeWatches(path, watcher);
    if (!persistent) {
      for (String watched : watchedPaths()) {
        ops.removeWatches(watched, watcher);
      }
    }
  }

  static Throwable unwrap(Throwable t) {
    while ((t instanceof CompletionException || t instanceof ExecutionException) && t.getCause() != null) {
      t = t.getCause();
    }
    return t;
  }
}
