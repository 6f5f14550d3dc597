package dev.cohort.recipes.node;

import dev.cohort.recipes.AsyncOps;
import dev.cohort.recipes.Cohort;
import dev.cohort.recipes.Deadline;
import dev.cohort.spi.Capability;
import dev.cohort.spi.CreateMode;
import dev.cohort.spi.NoNodeException;
import dev.cohort.spi.NodeExistsException;
import dev.cohort.spi.Op;
import dev.cohort.spi.Paths;
import dev.cohort.spi.UnimplementedException;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A TTL node ({@link CreateMode#PERSISTENT_WITH_TTL}) kept alive while this recipe is open: it
 * outlives sessions (a new session after an expiry goes on touching it), and once nothing touches
 * it — the process died, the client closed without closing the recipe — the service removes it
 * when its TTL has passed.
 *
 * <h2>How it is kept alive</h2>
 * Every {@link #touchPeriod()} (half the TTL), on the client's clock and scheduler, the recipe sets
 * the node's data to its current data. A set resets the service's "unmodified for the TTL" clock,
 * so a node touched every half TTL is never due. One request per period; a node found missing
 * (deleted by someone else, or expired while the client was cut off) is created again with the
 * current data at that touch, its parents as containers where the backend has them.
 *
 * <p>Cohort touches the node itself, where Curator's {@code PersistentTtlNode} keeps the data in a
 * container node (a PersistentNode: create plus an exists-watch) and touches a TTL child under it
 * (a setData of the child, a create when it is missing). Both cost one request per touch; this
 * design saves the second node and its watch, and the node goes as soon as its TTL passes rather
 * than once the child's TTL and then the container check have passed. The price: watchers of this
 * node see a {@code NODE_DATA_CHANGED} and its version grows at every touch. And {@link #close()}
 * deletes the node, where Curator's leaves it to its TTL.
 *
 * <h2>Backends without TTL nodes</h2>
 * Where the backend lacks {@link Capability#TTL_NODES} (etcd), the constructor throws {@link
 * UnimplementedException}: nothing is created, and no weaker substitute is offered silently (an
 * ephemeral node would go with a session, which is what a TTL node is chosen to avoid).
 *
 * <p>Thread-safe.
 */
public final class PersistentTtlNode implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(PersistentTtlNode.class);
  private static final int MAX_PARENT_ATTEMPTS = 5;

  private final Cohort client;
  private final AsyncOps ops;
  private final String path;
  private final Duration ttl;
  private final Duration period;
  private final CompletableFuture<Void> firstCreated = new CompletableFuture<>();

  // Guarded by this.
  private boolean started;
  private boolean closed;
  /** A touch (set or create) is in flight; another is asked for with {@link #touchAgain}. */
  private boolean touching;
  private boolean touchAgain;
  /** Whether the node is believed to exist: the next touch sets its data rather than creating it. */
  private boolean believedPresent;
  private byte[] data;
  private long dataSeq;
  private final TreeMap<Long, CompletableFuture<Void>> pendingWrites = new TreeMap<>();
  /** The next scheduled touch; cancelled by close. */
  private CompletableFuture<Void> timer;

  /**
   * A recipe keeping a TTL node at {@code path} (relative to the client's namespace) with {@code
   * data}. Nothing is sent before {@link #start()}.
   *
   * @param ttl the node's time to live; the node is touched every half of it
   * @throws UnimplementedException if the client's backend lacks {@link Capability#TTL_NODES}
   * @throws IllegalArgumentException if {@code path} is invalid or the root, or {@code ttl} is not
   *     at least a millisecond
   */
  public PersistentTtlNode(Cohort client, String path, Duration ttl, byte[] data) {
    this.client = Objects.requireNonNull(client, "client");
    this.path = PersistentNode.checkPath(path);
    Objects.requireNonNull(ttl, "ttl");
    this.data = Objects.requireNonNull(data, "data").clone();
    if (ttl.toMillis() < 1) {
      throw new IllegalArgumentException("the TTL must be at least 1 ms: " + ttl);
    }
    if (!client.backend().has(Capability.TTL_NODES)) {
      throw new UnimplementedException(path, "PersistentTtlNode needs TTL nodes, which backend "
          + client.backend().name() + " does not have (Capability.TTL_NODES)");
    }
    this.ttl = ttl;
    this.period = ttl.dividedBy(2);
    this.ops = client.async();
  }

  /** How often the node is touched: half its TTL. */
  public Duration touchPeriod() {
    return period;
  }

  /** The node's path, relative to the client's namespace. */
  public String path() {
    return path;
  }

  /**
   * Creates the node (or takes over the one at the path) and starts touching it; returns at once.
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
    touch();
  }

  /**
   * Waits until the node has been created (or found) once, at most {@code timeout} on the client's
   * {@link dev.cohort.spi.TimeSource}.
   *
   * @return true once created; false if the time passed first
   * @throws IllegalStateException if not started
   */
  public boolean awaitCreated(Duration timeout) throws InterruptedException {
    Objects.requireNonNull(timeout, "timeout");
    synchronized (this) {
      if (!started) {
        throw new IllegalStateException("not started");
      }
    }
    return Deadline.after(client, timeout).await(firstCreated);
  }

  /** The data the node has or will be given at the next touch; a copy. */
  public synchronized byte[] getData() {
    return data.clone();
  }

  /**
   * Replaces the node's data now (a touch with the new data), and for every later touch.
   *
   * @return completes once the node holds this data (or newer); abandoned if the recipe closes first
   * @throws IllegalStateException if the recipe is closed or not started
   */
  public CompletableFuture<Void> setData(byte[] newData) {
    Objects.requireNonNull(newData, "data");
    CompletableFuture<Void> done = new CompletableFuture<>();
    synchronized (this) {
      if (closed || !started) {
        throw new IllegalStateException(closed ? "closed" : "not started");
      }
      data = newData.clone();
      pendingWrites.put(++dataSeq, done);
    }
    touch();
    return done;
  }

  /** Stops touching and deletes the node in the background. Idempotent. */
  @Override
  public void close() {
    CompletableFuture<Void> t;
    synchronized (this) {
      if (closed) {
        return;
      }
      closed = true;
      t = timer;
      timer = null;
      pendingWrites.clear();
    }
    if (t != null) {
      t.cancel(false);
    }
    if (!client.isClosed()) {
      ops.deleteGuaranteed(path, -1).exceptionally(error -> {
        log.debug("{}: could not delete on close: {}", path, PersistentNode.unwrap(error).toString());
        return null;
      });
    }
  }

  // ---- touches -------------------------------------------------------------------------------

  private void touch() {
    byte[] bytes;
    long seq;
    boolean set;
    synchronized (this) {
      if (closed) {
        return;
      }
      if (touching) {
        touchAgain = true;
        return;
      }
      touching = true;
      touchAgain = false;
      bytes = data;
      seq = dataSeq;
      set = believedPresent;
    }
    try {
      if (set) {
        ops.setData(path, bytes, -1).whenComplete((stat, error) -> {
          if (error == null) {
            touched(seq);
          } else if (PersistentNode.unwrap(error) instanceof NoNodeException) {
            create(bytes, seq, 0);
          } else {
            failed(PersistentNode.unwrap(error));
          }
        });
      } else {
        create(bytes, seq, 0);
      }
    } catch (IllegalStateException clientClosed) {
      synchronized (this) {
        touching = false;
      }
    }
  }

  private void create(byte[] bytes, long seq, int parentAttempts) {
    ops.multi(List.of(Op.create(path, bytes, CreateMode.PERSISTENT_WITH_TTL, ttl))).whenComplete((r, error) -> {
      Throwable cause = error == null ? null : PersistentNode.unwrap(error);
      if (cause == null) {
        touched(seq);
      } else if (cause instanceof NodeExistsException) {
        synchronized (this) {
          believedPresent = true;
          touching = false;
          touchAgain = true; // set it: it may hold other data, and it needs the touch
        }
        next(period);
      } else if (cause instanceof NoNodeException && parentAttempts < MAX_PARENT_ATTEMPTS) {
        ensureParent().whenComplete((ignored, parentError) -> {
          if (parentError == null) {
            create(bytes, seq, parentAttempts + 1);
          } else {
            failed(PersistentNode.unwrap(parentError));
          }
        });
      } else {
        failed(cause);
      }
    });
  }

  /** Creates the node's parent (and ancestors), as a container where the backend has them. */
  private CompletableFuture<Void> ensureParent() {
    String parent = Paths.parent(path);
    if (parent.equals(Paths.ROOT) && client.namespace().equals(Paths.ROOT)) {
      return CompletableFuture.completedFuture(null);
    }
    CreateMode mode = client.backend().has(Capability.CONTAINER_NODES) ? CreateMode.CONTAINER : CreateMode.PERSISTENT;
    return ops.createWithParents(parent, new byte[0], mode).handle((c, error) -> {
      if (error != null && !(PersistentNode.unwrap(error) instanceof NodeExistsException)) {
        throw new CompletionException(PersistentNode.unwrap(error));
      }
      return null;
    });
  }

  private void touched(long seq) {
    synchronized (this) {
      touching = false;
      believedPresent = true;
      var done = pendingWrites.headMap(seq, true);
      done.values().forEach(f -> f.complete(null));
      done.clear();
    }
    firstCreated.complete(null);
    next(period);
  }

  private void failed(Throwable cause) {
    synchronized (this) {
      touching = false;
    }
    if (!client.isClosed()) {
      log.debug("{}: touch failed (tried again after a quarter period): {}", path, cause.toString());
    }
    // Sooner than a period: two periods without a touch would be a whole TTL.
    next(period.dividedBy(4));
  }

  /** The next touch: at once if one was asked for meanwhile, else after {@code delay}. */
  private void next(Duration delay) {
    boolean now;
    CompletableFuture<Void> t;
    synchronized (this) {
      if (closed || client.isClosed()) {
        return;
      }
      now = touchAgain;
      if (!now) {
        if (timer != null) {
          timer.cancel(false);
        }
        t = Deadline.after(client, delay).expiry();
        timer = t;
      } else {
        t = null;
      }
    }
    if (now) {
      touch();
    } else {
      t.thenRunAsync(this::touch, client.workExecutor());
    }
  }

  @Override
  public String toString() {
    return "PersistentTtlNode[" + path + ", ttl " + ttl + "]";
  }
}
