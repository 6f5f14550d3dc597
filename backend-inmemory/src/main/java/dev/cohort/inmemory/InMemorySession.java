package dev.cohort.inmemory;

import dev.cohort.inmemory.tree.Outcome;
import dev.cohort.inmemory.tree.RequestChecks;
import dev.cohort.inmemory.tree.TxnOp;
import dev.cohort.inmemory.tree.WatchRegistry;
import dev.cohort.spi.BadArgumentsException;
import dev.cohort.spi.Capability;
import dev.cohort.spi.Children;
import dev.cohort.spi.ConnectionLossException;
import dev.cohort.spi.CoordinationException;
import dev.cohort.spi.CreateMode;
import dev.cohort.spi.Created;
import dev.cohort.spi.InvalidPathException;
import dev.cohort.spi.NoNodeException;
import dev.cohort.spi.NodeData;
import dev.cohort.spi.Op;
import dev.cohort.spi.OpResult;
import dev.cohort.spi.Paths;
import dev.cohort.spi.Session;
import dev.cohort.spi.SessionState;
import dev.cohort.spi.SessionStateListener;
import dev.cohort.spi.Stat;
import dev.cohort.spi.UnimplementedException;
import dev.cohort.spi.WatchEvent;
import dev.cohort.spi.WatchMode;
import dev.cohort.spi.Watcher;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A session of an {@link InMemoryBackend}. Operations validate their arguments, then run through
 * {@link InMemoryBackend#execute}, which applies them under the backend lock and delivers their
 * completions in order on this session's {@link SerialQueue}.
 */
final class InMemorySession implements Session {
  private static final Logger LOG = LoggerFactory.getLogger(InMemorySession.class);

  private final InMemoryBackend backend;
  private final long id;
  private final Duration sessionTimeout;
  private final SerialQueue queue;
  private final CopyOnWriteArrayList<SessionStateListener> listeners = new CopyOnWriteArrayList<>();

  // Written under the backend lock; volatile where read without it.
  volatile SessionState state = SessionState.CONNECTED;
  /** Bumped when the connection drops: completions enqueued under an older epoch are lost replies. */
  volatile int epoch;
  boolean connected = true;
  boolean expiredOnService;
  boolean loseNextReply;
  long disconnectedAtNanos;
  /** The newest zxid this session's client has seen; what reconnect compares watched nodes against. */
  long lastZxidSeen;
  /** Watches the client keeps while disconnected, re-armed on reconnect. */
  List<WatchRegistry.Held> held;
  /**
   * The path of the last op (not a create) of the last multi whose paths were all valid: a client
   * that writes the same path object in every multi (its receipt slot, see recipes' protected
   * create) is not made to scan it each time. Any thread may set it; a stale value only costs a scan.
   */
  private volatile String lastValidPath;

  InMemorySession(InMemoryBackend backend, long id, Duration sessionTimeout, SerialQueue queue) {
    this.backend = backend;
    this.id = id;
    this.sessionTimeout = sessionTimeout;
    this.queue = queue;
  }

  InMemoryBackend backend() {
    return backend;
  }

  @Override
  public long id() {
    return id;
  }

  @Override
  public SessionState state() {
    return state;
  }

  @Override
  public Duration sessionTimeout() {
    return sessionTimeout;
  }

  @Override
  public void addStateListener(SessionStateListener listener) {
    listeners.addIfAbsent(Objects.requireNonNull(listener, "listener"));
  }

  @Override
  public void removeStateListener(SessionStateListener listener) {
    listeners.remove(Objects.requireNonNull(listener, "listener"));
  }

  // ---------------------------------------------------------------------------------------------
  // Writes.

  @Override
  public CompletableFuture<Created> create(String path, byte[] data, CreateMode mode) {
    Objects.requireNonNull(path, "path");
    Objects.requireNonNull(data, "data");
    Objects.requireNonNull(mode, "mode");
    return createNode(path, data.clone(), mode, null);
  }

  @Override
  public CompletableFuture<Created> create(String path, byte[] data, CreateMode mode, Duration ttl) {
    Objects.requireNonNull(path, "path");
    Objects.requireNonNull(data, "data");
    Objects.requireNonNull(mode, "mode");
    Objects.requireNonNull(ttl, "ttl");
    return createNode(path, data.clone(), mode, ttl);
  }

  private CompletableFuture<Created> createNode(String path, byte[] data, CreateMode mode, Duration ttl) {
    CoordinationException invalid = RequestChecks.create(path, mode, ttl);
    CoordinationException refused = invalid != null ? invalid : checkCreate(path, mode);
    TxnOp op = refused == null ? new TxnOp.CreateNode(path, data, mode, ttl == null ? 0 : ttl.toMillis()) : null;
    return backend.execute(this, path, invalid, ok -> {
      if (refused != null) {
        throw refused;
      }
      Outcome.Created created = (Outcome.Created) write(op);
      return new Created(created.path(), created.stat());
    });
  }

  /** A create the backend refuses for a capability it lacks (after the session's state), else null. */
  private CoordinationException checkCreate(String path, CreateMode mode) {
    if (mode.isContainer() && !backend.has(Capability.CONTAINER_NODES)) {
      return new UnimplementedException(path, "container nodes are not enabled on this backend");
    }
    if (mode.isTtl() && !backend.has(Capability.TTL_NODES)) {
      return new UnimplementedException(path, "TTL nodes are not enabled on this backend");
    }
    return null;
  }

  @Override
  public CompletableFuture<Void> delete(String path, int version) {
    Objects.requireNonNull(path, "path");
    TxnOp op = new TxnOp.DeleteNode(path, version);
    return backend.execute(this, path, RequestChecks.path(path), ok -> {
      write(op);
      return null;
    });
  }

  @Override
  public CompletableFuture<Stat> setData(String path, byte[] data, int version) {
    Objects.requireNonNull(path, "path");
    Objects.requireNonNull(data, "data");
    TxnOp op = new TxnOp.SetData(path, data.clone(), version);
    return backend.execute(this, path, RequestChecks.path(path), ok -> ((Outcome.DataSet) write(op)).stat());
  }

  /** Applies a write under the lock; a failed outcome is thrown as its exception. */
  private Outcome write(TxnOp op) {
    Outcome outcome = backend.applyWrite(this, op);
    if (outcome instanceof Outcome.Failed failed) {
      throw failed.toException();
    }
    return outcome;
  }

  // ---------------------------------------------------------------------------------------------
  // Reads.

  @Override
  public CompletableFuture<Stat> exists(String path, Watcher watcher) {
    Objects.requireNonNull(path, "path");
    return backend.execute(this, path, RequestChecks.path(path), watchAllowed -> {
      Stat stat = backend.tree.stat(path);
      if (watcher != null && watchAllowed) {
        backend.watches.add(stat == null ? WatchRegistry.Kind.EXIST : WatchRegistry.Kind.DATA, path, id, watcher);
      }
      return stat;
    });
  }

  @Override
  public CompletableFuture<NodeData> getData(String path, Watcher watcher) {
    Objects.requireNonNull(path, "path");
    return backend.execute(this, path, RequestChecks.path(path), watchAllowed -> {
      NodeData data = backend.tree.getData(path);
      if (data == null) {
        throw new NoNodeException(path);
      }
      if (watcher != null && watchAllowed) {
        backend.watches.add(WatchRegistry.Kind.DATA, path, id, watcher);
      }
      return data;
    });
  }

  @Override
  public CompletableFuture<Children> getChildren(String path, Watcher watcher) {
    Objects.requireNonNull(path, "path");
    return backend.execute(this, path, RequestChecks.path(path), watchAllowed -> {
      Children children = backend.tree.getChildren(path);
      if (children == null) {
        throw new NoNodeException(path);
      }
      if (watcher != null && watchAllowed) {
        backend.watches.add(WatchRegistry.Kind.CHILD, path, id, watcher);
      }
      return children;
    });
  }

  @Override
  public CompletableFuture<Void> sync(String path) {
    Objects.requireNonNull(path, "path");
    // Every read already sees the latest write: the lock makes the one tree linearizable.
    return backend.execute(this, path, RequestChecks.path(path), ok -> null);
  }

  // ---------------------------------------------------------------------------------------------
  // Multi.

  @Override
  public CompletableFuture<List<OpResult>> multi(List<Op> ops) {
    Objects.requireNonNull(ops, "ops");
    List<Op> copy = List.copyOf(ops); // also rejects null elements with NPE
    CoordinationException invalid = RequestChecks.multi(copy, lastValidPath);
    if (invalid == null) {
      Op last = copy.get(copy.size() - 1);
      if (!(last instanceof Op.Create)) {
        lastValidPath = last.path();
      }
    }
    if (invalid == null && copy.get(0).isRead()) {
      return backend.execute(this, null, ok -> readMulti(copy));
    }
    // The tree's own copy of each op's data; the size check reads it instead of copying it again.
    List<TxnOp> txnOps = invalid == null ? TxnOp.ofWrites(copy) : null;
    CoordinationException refused = invalid != null ? invalid : checkMulti(copy, txnOps);
    return backend.execute(this, null, invalid, ok -> {
      if (refused != null) {
        throw refused;
      }
      List<Outcome> outcomes = ((Outcome.MultiDone) write(new TxnOp.Multi(txnOps))).results();
      OpResult[] results = new OpResult[outcomes.size()];
      for (int i = 0; i < results.length; i++) {
        results[i] = Outcome.toOpResult(outcomes.get(i));
      }
      return List.of(results);
    });
  }

  /**
   * A write multi the backend refuses after the session's state, before applying: a create needing
   * a missing capability, more data than the limit in all the ops together.
   */
  private CoordinationException checkMulti(List<Op> ops, List<TxnOp> txnOps) {
    for (int i = 0; i < ops.size(); i++) {
      if (ops.get(i) instanceof Op.Create c) {
        CoordinationException refused = checkCreate(c.path(), c.mode());
        if (refused != null) {
          return refused.atOp(i);
        }
      }
    }
    return RequestChecks.txnDataSize(txnOps, backend.tree.maxDataBytes());
  }



  private List<OpResult> readMulti(List<Op> ops) {
    List<OpResult> results = new ArrayList<>(ops.size());
    for (int i = 0; i < ops.size(); i++) {
      Op op = ops.get(i);
      String problem = Paths.problem(op.path(), false);
      if (problem != null) {
        throw new InvalidPathException(op.path(), problem).atOp(i);
      }
      if (op instanceof Op.GetData) {
        NodeData data = backend.tree.getData(op.path());
        if (data == null) {
          throw new NoNodeException(op.path()).atOp(i);
        }
        results.add(new OpResult.GetDataResult(data.data(), data.stat()));
      } else {
        Children children = backend.tree.getChildren(op.path());
        if (children == null) {
          throw new NoNodeException(op.path()).atOp(i);
        }
        results.add(new OpResult.GetChildrenResult(children.names()));
      }
    }
    return List.copyOf(results);
  }

  // ---------------------------------------------------------------------------------------------
  // Watches.

  @Override
  public CompletableFuture<Void> addWatch(String path, WatchMode mode, Watcher watcher) {
    Objects.requireNonNull(path, "path");
    Objects.requireNonNull(mode, "mode");
    Objects.requireNonNull(watcher, "watcher");
    boolean supported = backend.has(Capability.PERSISTENT_WATCHES);
    return backend.execute(this, path, RequestChecks.path(path), watchAllowed -> {
      if (!supported) {
        throw new UnimplementedException(path, "persistent watches are not enabled on this backend");
      }
      if (watchAllowed) {
        WatchRegistry.Kind kind = mode == WatchMode.PERSISTENT
            ? WatchRegistry.Kind.PERSISTENT : WatchRegistry.Kind.PERSISTENT_RECURSIVE;
        backend.watches.add(kind, path, id, watcher);
      }
      return null;
    });
  }

  @Override
  public CompletableFuture<Void> removeWatches(String path, Watcher watcher) {
    Objects.requireNonNull(path, "path");
    Objects.requireNonNull(watcher, "watcher");
    return backend.execute(this, path, RequestChecks.path(path), ok -> {
      backend.watches.remove(path, id, watcher);
      return null;
    });
  }

  @Override
  public void close() {
    backend.closeSession(this);
  }

  // ---------------------------------------------------------------------------------------------
  // Delivery (enqueue under the backend lock, drain without it).

  <T> void enqueueCompletion(CompletableFuture<T> future, T value, CoordinationException error) {
    int enqueuedEpoch = epoch;
    queue.enqueue(() -> {
      if (error != null) {
        future.completeExceptionally(error);
      } else if (enqueuedEpoch != epoch) {
        future.completeExceptionally(new ConnectionLossException(null, "the connection dropped before the reply arrived"));
      } else {
        future.complete(value);
      }
    });
  }

  void enqueueEvent(Watcher watcher, WatchEvent event) {
    queue.enqueue(() -> {
      backend.countDelivered();
      watcher.process(event);
    });
  }

  void enqueueStateChange(SessionState newState) {
    Object[] snapshot = listeners.toArray();
    if (snapshot.length == 0) {
      return;
    }
    queue.enqueue(() -> {
      for (Object listener : snapshot) {
        try {
          ((SessionStateListener) listener).stateChanged(this, newState);
        } catch (RuntimeException e) {
          LOG.warn("a state listener of {} threw on {}", this, newState, e);
        }
      }
    });
  }

  void drain() {
    queue.drain();
  }

  @Override
  public String toString() {
    return "InMemorySession[0x" + Long.toHexString(id) + ", " + state + "]";
  }
}
