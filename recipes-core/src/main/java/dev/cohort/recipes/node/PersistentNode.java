package dev.cohort.recipes.node;

import dev.cohort.recipes.AsyncOps;
import dev.cohort.recipes.Cohort;
import dev.cohort.recipes.ConnectionState;
import dev.cohort.recipes.ConnectionStateListener;
import dev.cohort.recipes.Deadline;
import dev.cohort.recipes.OwnedNode;
import dev.cohort.spi.CoordinationException;
import dev.cohort.spi.CreateMode;
import dev.cohort.spi.NodeExistsException;
import dev.cohort.spi.Paths;
import dev.cohort.spi.WatchEvent;
import dev.cohort.spi.Watcher;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * An ephemeral node the recipe keeps present for as long as it is open: created at {@link
 * #start()}, and created again, with the latest data, whenever it goes — deleted by someone else,
 * or gone with an expired session.
 *
 * <p>Two kinds, chosen by the factory:
 *
 * <ul>
 *   <li>{@link #ephemeral} — an ephemeral node at exactly the given path. A node at that path that
 *       another session owns is never adopted nor overwritten: the recipe waits for it to go, then
 *       creates its own.
 *   <li>{@link #protectedSequential} — a protected ephemeral-sequential node whose name starts with
 *       the path's last segment (see {@link AsyncOps#createProtected}): after a lost reply the
 *       create is found again, never made twice. Each creation gets a new name; {@link
 *       #actualPath()} and the {@link PersistentNodeListener listeners} tell which.
 * </ul>
 *
 * <h2>How it works</h2>
 * One create is in flight at a time. Once created, the node is watched with an exists-watch; a
 * deletion event creates it again, a data event re-arms the watch. A new session (after
 * {@link ConnectionState#LOST}) creates it again, since the old node went with the old session.
 * Missing parents are created (as containers where the backend has them). A create that fails for
 * a lost connection is tried again after a short backoff on the client's clock, for as long as the
 * recipe is open; one that fails for any other reason (say, the parent is an ephemeral node) is
 * reported by {@link #awaitCreated} and tried again on the next connection change.
 *
 * <p>{@link #setData} keeps the data for later creations and writes it to the current node; a
 * write that is lost with the connection is made again after the reconnect. Requests: a creation
 * is one create (plus one per missing parent) and one exists-watch; a deletion by someone else
 * costs one event, one create and one exists; setData is one setData. Nothing is polled.
 *
 * <p>Thread-safe. Listeners run on the client's listener executor, never under the recipe's lock.
 */
public final class PersistentNode implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(PersistentNode.class);
  private static final Duration RETRY_MIN = Duration.ofMillis(50);
  private static final Duration RETRY_MAX = Duration.ofSeconds(5);

  private final Cohort client;
  private final AsyncOps ops;
  private final String path;
  private final boolean sequential;
  private final CopyOnWriteArrayList<PersistentNodeListener> listeners = new CopyOnWriteArrayList<>();
  private final ConnectionStateListener stateListener = this::connectionChanged;
  private final Watcher watcher = this::nodeChanged;
  /** Completes at the first creation; fails only with a failure that was not a lost connection. */
  private final CompletableFuture<Void> firstCreated = new CompletableFuture<>();

  // Guarded by this.
  private boolean started;
  private boolean closed;
  private boolean creating;
  /** The node on its session, or null while none is known to exist. */
  private OwnedNode node;
  private byte[] data;
  /** Counts data changes; {@link #written} is the last count known to be on the node. */
  private long dataSeq;
  private long written;
  private final TreeMap<Long, CompletableFuture<Void>> pendingWrites = new TreeMap<>();
  private int failures;
  private CoordinationException lastFailure;

  private PersistentNode(Cohort client, String path, boolean sequential, byte[] data) {
    this.client = Objects.requireNonNull(client, "client");
    this.ops = client.async();
    this.path = path;
    this.sequential = sequential;
    this.data = Objects.requireNonNull(data, "data").clone();
  }

  /**
   * A recipe keeping an ephemeral node at {@code path} (relative to the client's namespace).
   *
   * @throws IllegalArgumentException if {@code path} is not a valid path or is the root
   */
  public static PersistentNode ephemeral(Cohort client, String path, byte[] data) {
    return new PersistentNode(client, checkPath(path), false, data);
  }

  /**
   * A recipe keeping a protected ephemeral-sequential node: under {@code pathPrefix}'s parent, its
   * name starting with {@code pathPrefix}'s last segment (for example {@code /workers/w-}).
   *
   * @throws IllegalArgumentException if {@code pathPrefix} is not a valid path or is the root
   */
  public static PersistentNode protectedSequential(Cohort client, String pathPrefix, byte[] data) {
    return new PersistentNode(client, checkPath(pathPrefix), true, data);
  }

  static String checkPath(String path) {
    Objects.requireNonNull(path, "path");
    if (!Paths.isValid(path) || path.equals(Paths.ROOT)) {
      throw new IllegalArgumentException("not a valid node path: '" + path + "'");
    }
    return path;
  }

  /**
   * Starts keeping the node; returns at once (see {@link #awaitCreated}).
   *
   * @throws IllegalStateException if already started or closed, or if the client is not usable
   */
  public void start() {
    client.checkUsable();
    synchronized (this) {
      if (started || closed) {
        throw new IllegalStateException(closed ? "closed" : "already started");
      }
      started = true;
    }
    client.addConnectionStateListener(stateListener);
    create();
  }

  /**
   * Waits until the node has been created once, at most {@code timeout} on the client's {@link
   * dev.cohort.spi.TimeSource} (a virtual clock's jumps count).
   *
   * @return true once created; false if the time passed first
   * @throws IllegalStateException if not started
   * @throws CoordinationException if the first create failed for a reason other than a lost
   *     connection (the recipe keeps trying on connection changes)
   */
  public boolean awaitCreated(Duration timeout) throws InterruptedException {
    Objects.requireNonNull(timeout, "timeout");
    synchronized (this) {
      if (!started) {
        throw new IllegalStateException("not started");
      }
      if (!firstCreated.isDone() && lastFailure != null && !lastFailure.isOutcomeUnknown()
          && !lastFailure.isSessionGone()) {
        throw lastFailure;
      }
    }
    return Deadline.after(client, timeout).await(firstCreated);
  }

  /** The node's path (relative to the namespace) while it exists as far as the recipe knows. */
  public synchronized Optional<String> actualPath() {
    return node == null || !client.isLiveSession(node.sessionId()) ? Optional.empty() : Optional.of(node.path());
  }

  /** The data the node has or will be created with; a copy. */
  public synchronized byte[] getData() {
    return data.clone();
  }

  /**
   * Replaces the node's data: for later creations, and on the current node if there is one.
   *
   * @return completes once the node on the service holds this data (or newer): at once after the
   *     write, or after the next creation or reconnect; it never fails, and is abandoned (left
   *     incomplete) if the recipe closes first
   * @throws IllegalStateException if the recipe is closed
   */
  public CompletableFuture<Void> setData(byte[] newData) {
    Objects.requireNonNull(newData, "data");
    CompletableFuture<Void> done = new CompletableFuture<>();
    synchronized (this) {
      if (closed) {
        throw new IllegalStateException("closed");
      }
      data = newData.clone();
      pendingWrites.put(++dataSeq, done);
    }
    push();
    return done;
  }

  /** Adds a listener, told of every creation from now on (with the node's path). */
  public void addListener(PersistentNodeListener listener) {
    listeners.add(Objects.requireNonNull(listener, "listener"));
  }

  /** Removes a listener. */
  public void removeListener(PersistentNodeListener listener) {
    listeners.remove(listener);
  }

  /**
   * Stops keeping the node and deletes it in the background (only the node this recipe created;
   * never another session's). Idempotent.
   */
  @Override
  public void close() {
    OwnedNode gone;
    synchronized (this) {
      if (closed) {
        return;
      }
      closed = true;
      gone = node;
      node = null;
      pendingWrites.clear();
    }
    client.removeConnectionStateListener(stateListener);
    if (gone != null) {
      deleteOwned(gone);
    }
    if (!client.isClosed()) {
      String watched = gone != null ? gone.path() : path;
      ops.removeWatches(watched, watcher).exceptionally(error -> null); // none may be set: fine
    }
  }

  // ---- steps ---------------------------------------------------------------------------------

  /** Sends a create unless one is in flight or the recipe is closed or holds a live node. */
  private void create() {
    byte[] bytes;
    long seq;
    synchronized (this) {
      if (closed || creating || (node != null && client.isLiveSession(node.sessionId()))) {
        return;
      }
      creating = true;
      bytes = data;
      seq = dataSeq;
    }
    long session;
    CompletableFuture<OwnedNode> sent;
    try {
      session = client.sessionId();
      sent = sequential
          ? ops.createProtected(Paths.parent(path), lastSegment(path), bytes, CreateMode.EPHEMERAL_SEQUENTIAL)
          : ops.createWithParents(path, bytes, CreateMode.EPHEMERAL)
              .thenApply(c -> new OwnedNode(c.path(), c.stat().czxid(), c.stat().ephemeralOwner()));
    } catch (RuntimeException e) { // the client closed
      synchronized (this) {
        creating = false;
      }
      return;
    }
    sent.whenComplete((created, error) -> {
      if (error == null) {
        created(created, seq);
      } else if (unwrap(error) instanceof NodeExistsException) {
        adoptOrWait(session, seq);
      } else {
        createFailed(unwrap(error));
      }
    });
  }

  /** A plain create found the path taken: ours after a lost reply, or someone else's to wait out. */
  private void adoptOrWait(long session, long seq) {
    ops.exists(path, watcher).whenComplete((stat, error) -> {
      if (error != null) {
        createFailed(unwrap(error));
      } else if (stat == null) {
        synchronized (this) {
          creating = false;
        }
        create(); // gone meanwhile
      } else if (stat.ephemeralOwner() == session) {
        created(new OwnedNode(path, stat.czxid(), session), -1); // data unknown: write it
      } else {
        synchronized (this) {
          creating = false; // the watch set above tells when their node goes
        }
        log.debug("{}: owned by session 0x{}; waiting for it to go", path, Long.toHexString(stat.ephemeralOwner()));
      }
    });
  }

  private void created(OwnedNode created, long seq) {
    boolean first;
    synchronized (this) {
      creating = false;
      failures = 0;
      lastFailure = null;
      if (closed) {
        first = false;
      } else {
        node = created;
        first = !firstCreated.isDone();
        if (seq >= 0) {
          markWritten(seq);
        }
      }
    }
    if (isClosed()) {
      deleteOwned(created);
      return;
    }
    firstCreated.complete(null);
    log.debug("{}: created {} (first: {})", path, created.path(), first);
    for (PersistentNodeListener l : listeners) {
      client.listenerExecutor().execute(() -> l.nodeCreated(created.path()));
    }
    watch(created);
    push();
  }

  private void watch(OwnedNode watched) {
    ops.exists(watched.path(), watcher).whenComplete((stat, error) -> {
      if (error == null && stat == null) {
        gone(watched);
      } else if (error != null) {
        log.debug("{}: could not watch {}: {}", path, watched.path(), unwrap(error).toString());
      }
    });
  }

  private void nodeChanged(WatchEvent event) {
    OwnedNode current;
    synchronized (this) {
      current = node;
    }
    if (isClosed()) {
      return;
    }
    if (current == null) {
      if (!sequential && event.path().equals(path)) {
        // Another session's node at our path: create once it goes, else keep watching it.
        ops.exists(path, watcher).whenComplete((stat, error) -> {
          if (error == null && stat == null) {
            create();
          }
        });
      }
      return;
    }
    if (!event.path().equals(current.path())) {
      return;
    }
    if (event.type() == WatchEvent.Type.NODE_DELETED) {
      gone(current);
    } else {
      watch(current);
    }
  }

  /** {@code old} is gone: forget it (if still current) and create again. */
  private void gone(OwnedNode old) {
    synchronized (this) {
      if (node == old) {
        node = null;
      }
    }
    create();
  }

  private void createFailed(Throwable cause) {
    int n;
    synchronized (this) {
      creating = false;
      n = ++failures;
      if (cause instanceof CoordinationException ce) {
        lastFailure = ce;
      }
      if (closed) {
        return;
      }
    }
    if (cause instanceof CoordinationException ce && (ce.isOutcomeUnknown() || ce.isSessionGone())) {
      if (client.isClosed()) {
        return;
      }
      long millis = Math.min(RETRY_MAX.toMillis(), RETRY_MIN.toMillis() << Math.min(n, 10));
      Deadline.after(client, Duration.ofMillis(millis)).expiry()
          .thenRunAsync(this::create, client.workExecutor());
    } else if (!(cause instanceof IllegalStateException)) { // the client closed otherwise
      log.warn("{}: could not create the node (tried again on the next connection change): {}", path,
          cause.toString());
    }
  }

  /** Writes the latest data to the current node if it lacks it. */
  private void push() {
    OwnedNode target;
    byte[] bytes;
    long seq;
    synchronized (this) {
      if (closed || node == null || written >= dataSeq || !client.isLiveSession(node.sessionId())) {
        return;
      }
      target = node;
      bytes = data;
      seq = dataSeq;
    }
    ops.setData(target.path(), bytes, -1).whenComplete((stat, error) -> {
      if (error == null) {
        synchronized (this) {
          markWritten(seq);
        }
      } else {
        // Gone: the watch creates it again with this data. Lost connection: pushed on reconnect.
        log.debug("{}: setData failed: {}", path, unwrap(error).toString());
      }
    });
  }

  /** Completes the writes up to {@code seq}. Under this. */
  private void markWritten(long seq) {
    written = Math.max(written, seq);
    var done = pendingWrites.headMap(seq, true);
    done.values().forEach(f -> f.complete(null));
    done.clear();
  }

  private void connectionChanged(Cohort c, ConnectionState state) {
    if (isClosed() || !state.isConnected()) {
      return;
    }
    synchronized (this) {
      if (node != null && !client.isLiveSession(node.sessionId())) {
        node = null; // went with its session
      }
    }
    create();
    push();
  }

  private void deleteOwned(OwnedNode owned) {
    if (!client.isLiveSession(owned.sessionId())) {
      return; // gone with its session
    }
    if (sequential) {
      ops.deleteIfOwned(owned);
      return;
    }
    // A plain path may be someone else's by now: delete only the incarnation we created.
    ops.exists(owned.path(), null)
        .thenCompose(stat -> stat != null && stat.czxid() == owned.czxid()
            ? ops.delete(owned.path(), stat.version())
            : CompletableFuture.completedFuture(null))
        .exceptionally(error -> {
          log.debug("{}: could not delete on close: {}", path, unwrap(error).toString());
          return null;
        });
  }

  private synchronized boolean isClosed() {
    return closed;
  }

  private static String lastSegment(String p) {
    return p.substring(p.lastIndexOf('/') + 1);
  }

  static Throwable unwrap(Throwable t) {
    while ((t instanceof CompletionException || t instanceof ExecutionException) && t.getCause() != null) {
      t = t.getCause();
    }
    return t;
  }

  @Override
  public String toString() {
    return "PersistentNode[" + path + (sequential ? ", protected sequential" : "") + "]";
  }
}
