package dev.cohort.etcd;

import dev.cohort.spi.BadArgumentsException;
import dev.cohort.spi.Children;
import dev.cohort.spi.ConnectionLossException;
import dev.cohort.spi.CoordinationException;
import dev.cohort.spi.CreateMode;
import dev.cohort.spi.Created;
import dev.cohort.spi.DataTooLargeException;
import dev.cohort.spi.ErrorCode;
import dev.cohort.spi.InvalidPathException;
import dev.cohort.spi.NodeData;
import dev.cohort.spi.Op;
import dev.cohort.spi.OpResult;
import dev.cohort.spi.Paths;
import dev.cohort.spi.Session;
import dev.cohort.spi.SessionClosedException;
import dev.cohort.spi.SessionExpiredException;
import dev.cohort.spi.SessionState;
import dev.cohort.spi.SessionStateListener;
import dev.cohort.spi.Stat;
import dev.cohort.spi.UnimplementedException;
import dev.cohort.spi.WatchEvent;
import dev.cohort.spi.WatchMode;
import dev.cohort.spi.Watcher;
import io.etcd.jetcd.ByteSequence;
import io.etcd.jetcd.Client;
import io.etcd.jetcd.KeyValue;
import io.etcd.jetcd.kv.GetResponse;
import io.etcd.jetcd.kv.TxnResponse;
import io.etcd.jetcd.op.Cmp;
import io.etcd.jetcd.options.GetOption;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.IdentityHashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A session on etcd: one lease, one jetcd client (one gRPC connection), one event thread.
 *
 * <h2>How it works</h2>
 * <ul>
 *   <li><b>Liveness.</b> The session is a lease of {@code ceil(timeout)} seconds. The session's own
 *       loop renews it every third of the TTL (at most every second); a renewal that fails makes the
 *       session SUSPENDED, the next that succeeds RECONNECTED; a lease the service no longer knows,
 *       or a TTL that passes without a successful renewal, makes it EXPIRED. Nothing is left to a
 *       background keep-alive that could fail silently.
 *   <li><b>Order.</b> Operations run one after another in issue order ({@link #submit}); each
 *       completes on the event thread, after the watch events its own result shows.
 *   <li><b>Writes</b> decide as ZooKeeper would ({@link Plan}) from what the session last saw of
 *       the nodes they touch ({@link KnownNodes}), and commit one transaction guarded by those mod
 *       revisions; its {@code else} branch reads the nodes, and the write is decided again from
 *       that read (a stale view or a lost race costs one more transaction). Errors come only from
 *       one fresh read. An ephemeral sequential create also lists its parent, for the listing the
 *       queue protocol sends right behind it.
 *   <li><b>Watches</b>, one-shot and persistent, are all served by the session's one etcd watch
 *       of its namespace ({@link NamespaceWatch}), so every event of the session is dispatched in
 *       revision order on the event thread. A one-shot registration set by a read at revision
 *       {@code R} fires once, for the first change after {@code R}, whether the stream, this
 *       session's own write or a later read of the same node shows it first; changes after
 *       {@code R} the stream had dispatched before the registration existed come from its buffer
 *       of recent events, or, past the buffer (or before the stream's start), from one more read
 *       of the node ({@link #arm}). The read that sets a watch completes only once it is armed: a
 *       change made after the read completes reaches the session through the stream, in order
 *       with the others. While a write transaction of this session is in flight the stream waits
 *       ({@link #commitHoldingEvents}): etcd often shows the write's net change before its reply,
 *       and the session must see it op by op from {@link Plan}.
 * </ul>
 *
 * Guarded by {@code this}: {@link #tail}, {@link #state} transitions. The watch table is touched on
 * the event thread only.
 */
final class EtcdSession implements Session {

  private static final Logger LOG = LoggerFactory.getLogger(EtcdSession.class);
  private static final int MAX_PLAN_ATTEMPTS = 10_000;

  private final EtcdBackend backend;
  private final Layout layout;
  /** Replaced by a fresh one while suspended (see {@link #renew}); written on the event thread. */
  private volatile Client client;
  private final List<java.net.URI> endpoints;
  private final long lease;
  private final Duration timeout;
  private final long opTimeoutMillis;
  private final long renewEveryMillis;
  private final ExecutorService events;
  private volatile Thread eventThread;
  private final List<SessionStateListener> listeners = new CopyOnWriteArrayList<>();
  private volatile SessionState state = SessionState.CONNECTED;
  private volatile long lastRenewalNanos;
  private CompletableFuture<Void> tail = CompletableFuture.completedFuture(null);
  private ScheduledFuture<?> renewal;

  /** What this session last saw of nodes: the guesses its writes are planned from. */
  private final KnownNodes known = new KnownNodes(4_096, 4L << 20);
  /**
   * The listing the last write carried in its own transaction ({@link #listedWith}), offered to the
   * very next operation only: set as a write completes, taken by {@link #submit} as the next
   * operation starts (operations run one at a time).
   */
  private volatile Carried carried;
  /** The carried listing while the operation that may answer from it starts; see {@link #submit}. */
  private volatile Reading offered;
  /** Operations issued so far; numbers them in {@link #submit}. Guarded by {@code this}. */
  private long issued;

  /** A listing a write carried, for operations numbered below {@code issuedBefore}. */
  private record Carried(Reading reading, long issuedBefore) {}

  /** Registrations that fired from the namespace watch's buffer as they were set (tests); event thread only. */
  private long firedFromBuffer;
  /** One-shot watch registrations; event thread only. */
  private final List<Registration> registrations = new ArrayList<>();
  /**
   * Write transactions of this session in flight: while there are any, the namespace watch holds
   * its revisions, because one of them may be this session's own write, which must fire from the
   * write's op-by-op changes, not from etcd's net change, and after the revisions before it.
   */
  private final java.util.concurrent.atomic.AtomicInteger writesInFlight = new java.util.concurrent.atomic.AtomicInteger();
  /** The session's namespace watch, which serves every watch, and the persistent registrations; event thread only. */
  private final NamespaceWatch persistent;

  EtcdSession(EtcdBackend backend, Client client, List<java.net.URI> endpoints, long lease, long ttlSeconds) {
    this.backend = backend;
    this.endpoints = List.copyOf(endpoints);
    this.layout = backend.layout();
    this.client = client;
    this.lease = lease;
    this.timeout = Duration.ofSeconds(ttlSeconds);
    this.opTimeoutMillis = Math.max(2_000, timeout.toMillis());
    this.renewEveryMillis = Math.max(100, Math.min(1_000, timeout.toMillis() / 3));
    this.events = Executors.newSingleThreadExecutor(r -> {
      Thread t = new Thread(r, "cohort-etcd-session-" + Long.toHexString(lease));
      t.setDaemon(true);
      eventThread = t;
      return t;
    });
    this.lastRenewalNanos = backend.time().nanoTime();
    this.persistent = new NamespaceWatch(layout, lease, new NamespaceWatch.Host() {
      @Override
      public Client client() {
        return EtcdSession.this.client;
      }

      @Override
      public void post(Runnable task) {
        EtcdSession.this.post(task);
      }

      @Override
      public void postLater(Runnable task, long millis) {
        try {
          backend.timer().schedule(() -> EtcdSession.this.post(task), millis, TimeUnit.MILLISECONDS);
        } catch (java.util.concurrent.RejectedExecutionException closed) {
          LOG.trace("the backend's timer is gone");
        }
      }

      @Override
      public boolean delivering() {
        return state.isConnected();
      }

      @Override
      public boolean holding() {
        return writesInFlight.get() > 0;
      }

      @Override
      public void takeOneShot(WatchEvent event, long revision, Map<Watcher, Boolean> targets, List<Watcher> ordered) {
        EtcdSession.this.takeOneShot(event.type(), event.path(), revision, true, targets, ordered);
      }

      @Override
      public void deliver(List<Watcher> watchers, WatchEvent event) {
        EtcdSession.this.deliver(watchers, event);
      }

      @Override
      public void created() {
        for (Registration r : List.copyOf(registrations)) {
          if (!r.settled.isDone() && !r.rearming && registrations.contains(r)) {
            arm(r);
          }
        }
      }

      @Override
      public void lost() {
        judgeOneShot();
      }
    });
  }

  void startRenewal() {
    renewal = backend.timer().schedule(this::renew, renewEveryMillis, TimeUnit.MILLISECONDS);
  }

  Client client() {
    return client;
  }

  /** The one-shot and persistent watch registrations this session holds now. */
  int registeredWatches() {
    if (state.isTerminal()) {
      return 0;
    }
    try {
      return CompletableFuture.supplyAsync(() -> registrations.size() + persistent.size(), events)
          .get(5, TimeUnit.SECONDS);
    } catch (Exception e) {
      return 0;
    }
  }

  /** The endpoints this session's client connects to. */
  List<java.net.URI> endpoints() {
    return endpoints;
  }

  // ---------------------------------------------------------------- liveness

  private void renew() {
    if (state.isTerminal()) {
      return;
    }
    client.getLeaseClient().keepAliveOnce(lease)
        .orTimeout(Math.max(renewEveryMillis * 2, 500), TimeUnit.MILLISECONDS)
        // Handled where the reply arrives, not on the event thread: a caller blocked on the event
        // thread (a retry policy waiting for the reconnect) must still see the state change.
        .whenComplete((r, e) -> {
          if (state.isTerminal()) {
            return;
          }
          if (e == null && r.getTTL() > 0) {
            lastRenewalNanos = backend.time().nanoTime();
            if (state == SessionState.SUSPENDED && transition(SessionState.RECONNECTED)) {
              post(this::rearmWatches);
            }
          } else if (e == null || leaseGone(e)) {
            expire("the service no longer knows lease " + Long.toHexString(lease));
            return;
          } else {
            if (state.isConnected()) {
              LOG.debug("lease renewal failed, session suspended: {}", e.toString());
              transition(SessionState.SUSPENDED);
            }
            if (backend.time().nanoTime() - lastRenewalNanos > timeout.toNanos()) {
              expire("no lease renewal for the session timeout of " + timeout);
              return;
            }
            // gRPC backs off its reconnects exponentially (up to two minutes), which could outlast
            // the session; a fresh client connects at once. Watches are re-armed on reconnect.
            Client stale = client;
            client = backend.newClient(endpoints);
            stale.close();
          }
          synchronized (this) {
            if (!state.isTerminal()) {
              renewal = backend.timer().schedule(this::renew, renewEveryMillis, TimeUnit.MILLISECONDS);
            }
          }
        });
  }

  /** Any thread. */
  private void expire(String why) {
    LOG.debug("session {} expired: {}", Long.toHexString(lease), why);
    if (transition(SessionState.EXPIRED)) {
      post(this::dropWatches);
      // Best effort: if only this client lost touch, the lease may still live on the service.
      Client c = client;
      c.getLeaseClient().revoke(lease).whenComplete((r, e) -> c.close());
      backend.forget(this);
    }
  }

  private boolean transition(SessionState next) {
    synchronized (this) {
      SessionState current = state;
      if (current.isTerminal() || current == next) {
        return false;
      }
      state = next;
      // Queued under the lock so that transitions reach listeners in order; they run later, on
      // the event thread, with no lock held.
      for (SessionStateListener l : listeners) {
        post(() -> l.stateChanged(this, next));
      }
    }
    return true;
  }

  private static boolean leaseGone(Throwable e) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      String m = t.getMessage();
      if (m != null && m.contains("requested lease not found")) {
        return true;
      }
    }
    return false;
  }

  /** Maps a failure of an etcd call; suspends or expires the session when it says so. */
  private CoordinationException failure(Throwable e, String path) {
    Throwable cause = e instanceof CompletionException || e instanceof ExecutionException ? e.getCause() : e;
    if (cause instanceof CoordinationException ce) {
      return ce;
    }
    if (leaseGone(cause)) {
      expire("a write found the lease gone");
      return CoordinationException.of(ErrorCode.SESSION_EXPIRED, path, "the session's lease is gone", -1, cause);
    }
    if (state == SessionState.CLOSED) {
      return CoordinationException.of(ErrorCode.SESSION_CLOSED, path, null, -1, cause);
    }
    if (cause instanceof TimeoutException || isUnavailable(cause)) {
      if (state.isConnected()) {
        transition(SessionState.SUSPENDED);
      }
      return CoordinationException.of(ErrorCode.CONNECTION_LOSS, path, String.valueOf(cause), -1, cause);
    }
    return CoordinationException.of(ErrorCode.BACKEND_FAILURE, path, String.valueOf(cause), -1, cause);
  }

  private static boolean isUnavailable(Throwable e) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t instanceof io.etcd.jetcd.common.exception.EtcdException ee) {
        var code = ee.getErrorCode();
        if (code == io.etcd.jetcd.common.exception.ErrorCode.UNAVAILABLE
            || code == io.etcd.jetcd.common.exception.ErrorCode.DEADLINE_EXCEEDED
            || code == io.etcd.jetcd.common.exception.ErrorCode.CANCELLED
            || code == io.etcd.jetcd.common.exception.ErrorCode.UNKNOWN) {
          return true;
        }
      }
      if (t instanceof io.grpc.StatusRuntimeException se) {
        var code = se.getStatus().getCode();
        return code == io.grpc.Status.Code.UNAVAILABLE || code == io.grpc.Status.Code.DEADLINE_EXCEEDED
            || code == io.grpc.Status.Code.CANCELLED || code == io.grpc.Status.Code.UNKNOWN;
      }
      if (t instanceof java.io.IOException) {
        return true;
      }
    }
    return false;
  }

  // ---------------------------------------------------------------- Session

  @Override
  public long id() {
    return lease;
  }

  @Override
  public SessionState state() {
    return state;
  }

  @Override
  public Duration sessionTimeout() {
    return timeout;
  }

  @Override
  public void addStateListener(SessionStateListener listener) {
    Objects.requireNonNull(listener, "listener");
    if (!listeners.contains(listener)) {
      listeners.add(listener);
    }
  }

  @Override
  public void removeStateListener(SessionStateListener listener) {
    listeners.remove(listener);
  }

  @Override
  public CompletableFuture<Created> create(String path, byte[] data, CreateMode mode) {
    return doCreate(path, data, mode, null);
  }

  @Override
  public CompletableFuture<Created> create(String path, byte[] data, CreateMode mode, Duration ttl) {
    return doCreate(path, data, Objects.requireNonNull(mode, "mode"), Objects.requireNonNull(ttl, "ttl"));
  }

  private CompletableFuture<Created> doCreate(String path, byte[] data, CreateMode mode, Duration ttl) {
    Objects.requireNonNull(path, "path");
    Objects.requireNonNull(data, "data");
    Objects.requireNonNull(mode, "mode");
    CoordinationException refused = createArguments(path, mode, ttl);
    if (refused == null) {
      refused = stateRefusal(path);
    }
    if (refused == null) {
      refused = serverRefusal(path, mode, data.length);
    }
    Op op = ttl == null ? Op.create(path, data, mode) : Op.create(path, data, mode, ttl);
    return submit(path, refused, () -> write(List.of(op), false, path)
        .thenApply(w -> new Created(((OpResult.CreateResult) w.results.get(0)).path(), w.plan.createdStat(0, w.revision))));
  }

  @Override
  public CompletableFuture<Void> delete(String path, int version) {
    CoordinationException refused = pathRefusal(path);
    return submit(path, refused, () -> write(List.of(Op.delete(path, version)), false, path).thenApply(w -> null));
  }

  @Override
  public CompletableFuture<Stat> setData(String path, byte[] data, int version) {
    Objects.requireNonNull(data, "data");
    CoordinationException refused = pathRefusal(path);
    if (refused == null) {
      refused = dataRefusal(path, data.length);
    }
    return submit(path, refused, () -> write(List.of(Op.setData(path, data, version)), false, path)
        .thenApply(w -> ((OpResult.SetDataResult) w.results.get(0)).stat()));
  }

  @Override
  public CompletableFuture<Stat> exists(String path, Watcher watcher) {
    CoordinationException refused = pathRefusal(path);
    return submit(path, refused, () -> read(List.of(path), false).thenComposeAsync(r -> {
      NodeSnap s = r.snaps.get(path);
      observe(s, r.revision);
      Stat stat = s.exists() ? s.stat() : null;
      return watcher == null ? CompletableFuture.completedFuture(stat)
          : register(new Registration(path, false, watcher, r.revision, s)).thenApply(settled -> stat);
    }, events));
  }

  @Override
  public CompletableFuture<NodeData> getData(String path, Watcher watcher) {
    CoordinationException refused = pathRefusal(path);
    return submit(path, refused, () -> read(List.of(path), false).thenComposeAsync(r -> {
      NodeSnap s = r.snaps.get(path);
      observe(s, r.revision);
      if (!s.exists()) {
        throw CoordinationException.of(ErrorCode.NO_NODE, path);
      }
      NodeData data = new NodeData(s.value().data(), s.stat());
      return watcher == null ? CompletableFuture.completedFuture(data)
          : register(new Registration(path, false, watcher, r.revision, s)).thenApply(settled -> data);
    }, events));
  }

  @Override
  public CompletableFuture<Children> getChildren(String path, Watcher watcher) {
    CoordinationException refused = pathRefusal(path);
    return submit(path, refused, () -> listing(path).thenComposeAsync(r -> {
      NodeSnap s = r.snaps.get(path);
      observe(s, r.revision);
      if (!s.exists()) {
        throw CoordinationException.of(ErrorCode.NO_NODE, path);
      }
      Children children = new Children(s.names(), s.stat());
      return watcher == null ? CompletableFuture.completedFuture(children)
          : register(new Registration(path, true, watcher, r.revision, s)).thenApply(settled -> children);
    }, events));
  }

  /**
   * A listing of {@code path}: the one the previous operation's transaction carried, when it listed
   * this node (a view as of this session's own last write, as fresh as ZooKeeper promises a read
   * without a sync), else a read.
   */
  private CompletableFuture<Reading> listing(String path) {
    Reading r = offered;
    if (r != null && r.snaps.containsKey(path)) {
      return CompletableFuture.completedFuture(r);
    }
    return read(List.of(path), true);
  }

  @Override
  public CompletableFuture<Void> sync(String path) {
    CoordinationException refused = pathRefusal(path);
    // etcd's reads are linearizable already; a read of the node is the barrier.
    return submit(path, refused, () -> read(List.of(Paths.ROOT), false).thenApply(r -> null));
  }

  @Override
  public CompletableFuture<List<OpResult>> multi(List<Op> ops) {
    Objects.requireNonNull(ops, "ops");
    ops.forEach(op -> Objects.requireNonNull(op, "op"));
    CoordinationException refused = multiArguments(ops);
    if (refused == null) {
      refused = stateRefusal(null);
    }
    if (refused == null) {
      refused = multiServerRefusal(ops);
    }
    if (refused != null || ops.get(0).isRead()) {
      return submit(null, refused, () -> readMulti(ops));
    }
    return submit(null, null, () -> write(ops, true, null).thenApply(Written::results));
  }

  @Override
  public CompletableFuture<Void> addWatch(String path, WatchMode mode, Watcher watcher) {
    Objects.requireNonNull(path, "path");
    Objects.requireNonNull(mode, "mode");
    Objects.requireNonNull(watcher, "watcher");
    CoordinationException refused = pathRefusal(path);
    // The read gives the revision the watch is set at: every later change of the node fires it.
    return submit(path, refused, () -> read(List.of(path), false).thenApplyAsync(r -> {
      persistent.add(path, mode, watcher, r.revision);
      return null;
    }, events));
  }

  @Override
  public CompletableFuture<Void> removeWatches(String path, Watcher watcher) {
    Objects.requireNonNull(path, "path");
    Objects.requireNonNull(watcher, "watcher");
    CoordinationException refused = pathRefusal(path);
    return submit(path, refused, () -> {
      CompletableFuture<Void> done = new CompletableFuture<>();
      events.execute(() -> {
        for (Iterator<Registration> it = registrations.iterator(); it.hasNext(); ) {
          Registration r = it.next();
          if (r.path.equals(path) && r.watcher == watcher) {
            it.remove();
            r.cancel();
          }
        }
        persistent.remove(path, watcher);
        done.complete(null);
      });
      return done;
    });
  }

  @Override
  public void close() {
    if (!transition(SessionState.CLOSED)) {
      return;
    }
    synchronized (this) {
      if (renewal != null) {
        renewal.cancel(false);
      }
    }
    try {
      client.getLeaseClient().revoke(lease).get(timeout.toMillis() + 1_000, TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (ExecutionException | TimeoutException e) {
      LOG.debug("revoking lease {} on close failed: {}", Long.toHexString(lease), e.toString());
    }
    CompletableFuture<Void> dropped = new CompletableFuture<>();
    Runnable drop = () -> {
      // As ZooKeeper sends the events its close fires before it answers: this session's own
      // ephemerals are gone, and its watches on them hear it.
      for (Registration r : List.copyOf(registrations)) {
        if (r.owner == lease && !r.child) {
          fireOnClose(r.path);
        }
      }
      dropWatches();
      dropped.complete(null);
    };
    if (Thread.currentThread() == eventThread) {
      drop.run(); // closed from a watcher or listener: the event thread is this one
    } else {
      post(drop);
      dropped.orTimeout(5, TimeUnit.SECONDS).exceptionally(e -> null).join();
    }
    client.close();
    events.shutdown();
    backend.forget(this);
  }

  /** Closes the session's client without revoking its lease: a process that vanished. */
  void abandon() {
    if (transition(SessionState.CLOSED)) {
      synchronized (this) {
        if (renewal != null) {
          renewal.cancel(false);
        }
      }
      client.close();
      events.shutdown();
    }
  }

  @Override
  public String toString() {
    return "EtcdSession[0x" + Long.toHexString(lease) + ", " + state + "]";
  }

  // ---------------------------------------------------------------- guards

  private CoordinationException stateRefusal(String path) {
    return switch (state) {
      case CONNECTED, RECONNECTED -> null;
      case SUSPENDED -> new ConnectionLossException(path, "the session is suspended");
      case EXPIRED -> new SessionExpiredException(path);
      case CLOSED -> new SessionClosedException(path);
    };
  }

  private CoordinationException pathRefusal(String path) {
    Objects.requireNonNull(path, "path");
    String problem = Paths.problem(path, false);
    return problem != null ? new InvalidPathException(path, problem) : stateRefusal(path);
  }

  private static CoordinationException createArguments(String path, CreateMode mode, Duration ttl) {
    String problem = Paths.problem(path, mode.isSequential());
    if (problem != null) {
      return new InvalidPathException(path, problem);
    }
    if (mode.isTtl() && ttl == null) {
      return new BadArgumentsException(path, mode + " needs a TTL");
    }
    if (!mode.isTtl() && ttl != null) {
      return new BadArgumentsException(path, mode + " takes no TTL");
    }
    if (ttl != null && ttl.toMillis() <= 0) {
      return new BadArgumentsException(path, "TTL must be positive: " + ttl);
    }
    return null;
  }

  private CoordinationException serverRefusal(String path, CreateMode mode, int length) {
    if (mode.isTtl() || mode.isContainer()) {
      return new UnimplementedException(path, "the etcd backend has no " + mode + " nodes (no "
          + (mode.isTtl() ? "TTL_NODES" : "CONTAINER_NODES") + " capability)");
    }
    return dataRefusal(path, length);
  }

  private CoordinationException dataRefusal(String path, int length) {
    int max = backend.maxDataBytes();
    return length > max ? new DataTooLargeException(path, length + " bytes is more than the limit of " + max + " bytes") : null;
  }

  private static CoordinationException multiArguments(List<Op> ops) {
    if (ops.isEmpty()) {
      return new BadArgumentsException(null, "a multi needs at least one op");
    }
    for (int i = 0; i < ops.size(); i++) {
      Op op = ops.get(i);
      CoordinationException e;
      if (op instanceof Op.Create c) {
        e = createArguments(c.path(), c.mode(), c.ttl());
      } else {
        String problem = Paths.problem(op.path(), false);
        e = problem == null ? null : new InvalidPathException(op.path(), problem);
      }
      if (e != null) {
        return e.atOp(i);
      }
    }
    boolean reads = ops.get(0).isRead();
    for (int i = 0; i < ops.size(); i++) {
      if (ops.get(i).isRead() != reads) {
        return new BadArgumentsException(ops.get(i).path(), "a multi may not mix reads and writes").atOp(i);
      }
    }
    return null;
  }

  private CoordinationException multiServerRefusal(List<Op> ops) {
    long total = 0;
    int max = backend.maxDataBytes();
    for (int i = 0; i < ops.size(); i++) {
      Op op = ops.get(i);
      int length = 0;
      if (op instanceof Op.Create c) {
        CoordinationException e = serverRefusal(c.path(), c.mode(), c.data().length);
        if (e != null) {
          return e.atOp(i);
        }
        length = c.data().length;
      } else if (op instanceof Op.SetData s) {
        CoordinationException e = dataRefusal(s.path(), s.data().length);
        if (e != null) {
          return e.atOp(i);
        }
        length = s.data().length;
      }
      total += length;
      if (total > max) {
        return new DataTooLargeException(op.path(), "the ops of the multi carry " + total
            + " bytes or more, more than the limit of " + max + " bytes for a whole multi").atOp(i);
      }
    }
    return null;
  }

  // ---------------------------------------------------------------- ordering

  /**
   * Runs {@code body} once every operation issued before it has completed, and completes the
   * returned future on the event thread. A refusal fails it in its turn, without running the body.
   */
  private <T> CompletableFuture<T> submit(String path, CoordinationException refused,
      java.util.function.Supplier<CompletableFuture<T>> body) {
    CompletableFuture<T> result = new CompletableFuture<>();
    CompletableFuture<Void> done = new CompletableFuture<>();
    CompletableFuture<Void> previous;
    long number;
    synchronized (this) {
      previous = tail;
      tail = done;
      number = issued++;
    }
    previous.whenComplete((v, e) -> {
      CoordinationException now = refused != null ? refused : stateRefusal(path);
      CompletableFuture<T> run;
      // A carried listing is for the operation right after the write that carried it, and only if
      // that operation was issued before the write's reply came: its view is then no older than
      // its call.
      Carried c = carried;
      carried = null;
      if (now != null) {
        run = CompletableFuture.failedFuture(now);
      } else {
        offered = c != null && number < c.issuedBefore ? c.reading : null;
        try {
          run = body.get().orTimeout(opTimeoutMillis, TimeUnit.MILLISECONDS);
        } catch (RuntimeException ex) {
          run = CompletableFuture.failedFuture(ex);
        } finally {
          offered = null;
        }
      }
      run.whenComplete((value, error) -> {
        try {
          events.execute(() -> {
            if (error == null) {
              result.complete(value);
            } else {
              result.completeExceptionally(failure(error, path));
            }
            done.complete(null);
          });
        } catch (java.util.concurrent.RejectedExecutionException closed) {
          result.completeExceptionally(error == null ? new SessionClosedException(path) : failure(error, path));
          done.complete(null);
        }
      });
    });
    return result;
  }

  // ---------------------------------------------------------------- reads

  /** Nodes read at one revision. */
  record Reading(long revision, Map<String, NodeSnap> snaps) {}

  private CompletableFuture<Reading> read(Collection<String> paths, boolean names) {
    backend.sentRequest();
    return client.getKVClient().txn().Then(readOps(paths, names)).commit()
        .thenApply(resp -> reading(paths, names, resp.getGetResponses(), resp.getHeader().getRevision()));
  }

  /** The range reads that show {@code paths} (each: data key, counter key, children). */
  private io.etcd.jetcd.op.Op[] readOps(Collection<String> paths, boolean names) {
    List<io.etcd.jetcd.op.Op> gets = new ArrayList<>();
    for (String path : paths) {
      gets.add(io.etcd.jetcd.op.Op.get(layout.dataKey(path), GetOption.DEFAULT));
      gets.add(io.etcd.jetcd.op.Op.get(layout.metaKey(path), GetOption.DEFAULT));
      String prefix = layout.childrenPrefix(path);
      GetOption children = GetOption.builder().withRange(Layout.prefixEnd(prefix))
          .withCountOnly(!names).withKeysOnly(names).build();
      gets.add(io.etcd.jetcd.op.Op.get(Layout.bytes(prefix), children));
    }
    return gets.toArray(io.etcd.jetcd.op.Op[]::new);
  }

  /** Decodes the replies to {@link #readOps}, which start at {@code rs.get(0)}; the session learns them. */
  private Reading reading(Collection<String> paths, boolean names, List<GetResponse> rs, long revision) {
    Map<String, NodeSnap> snaps = new LinkedHashMap<>();
    int i = 0;
    for (String path : paths) {
      KeyValue data = first(rs.get(i++));
      KeyValue meta = first(rs.get(i++));
      GetResponse children = rs.get(i++);
      List<String> childNames = null;
      if (names) {
        childNames = new ArrayList<>();
        int cut = layout.childrenPrefix(path).getBytes(StandardCharsets.UTF_8).length;
        for (KeyValue kv : children.getKvs()) {
          byte[] key = kv.getKey().getBytes();
          childNames.add(new String(key, cut, key.length - cut, StandardCharsets.UTF_8));
        }
      }
      NodeSnap snap = new NodeSnap(path, data, meta, children.getCount(), childNames);
      snaps.put(path, snap);
      known.learn(snap);
    }
    return new Reading(revision, snaps);
  }

  private static KeyValue first(GetResponse r) {
    return r.getKvs().isEmpty() ? null : r.getKvs().get(0);
  }

  private CompletableFuture<List<OpResult>> readMulti(List<Op> ops) {
    List<String> paths = new ArrayList<>();
    for (Op op : ops) {
      paths.add(op.path());
    }
    boolean names = ops.stream().anyMatch(op -> op instanceof Op.GetChildren);
    return read(new java.util.LinkedHashSet<>(paths), names).thenApply(r -> {
      List<OpResult> out = new ArrayList<>();
      for (int i = 0; i < ops.size(); i++) {
        Op op = ops.get(i);
        NodeSnap s = r.snaps.get(op.path());
        if (!s.exists()) {
          throw CoordinationException.of(ErrorCode.NO_NODE, op.path()).atOp(i);
        }
        out.add(op instanceof Op.GetData
            ? new OpResult.GetDataResult(s.value().data(), s.stat())
            : new OpResult.GetChildrenResult(s.names()));
      }
      return out;
    });
  }

  // ---------------------------------------------------------------- writes

  /** A committed write. */
  record Written(long revision, Plan plan, List<OpResult> results) {}

  /**
   * Commits {@code ops}: planned first from what the session knows ({@link KnownNodes}), so that
   * the common write is one transaction; its compares check the guesses, and its {@code else}
   * branch reads the nodes, so that a lost race or a stale guess costs one more transaction, not a
   * read and a transaction.
   */
  private CompletableFuture<Written> write(List<Op> ops, boolean multi, String path) {
    return attempt(ops, multi, null, 0);
  }

  /**
   * One try: plans from {@code fresh} (a read, or null) and guesses for what it lacks. A failure is
   * answered only when the plan consulted nothing but {@code fresh}; else the nodes are read and
   * the plan made again, so every error is decided from one linearizable read, as ZooKeeper would.
   */
  private CompletableFuture<Written> attempt(List<Op> ops, boolean multi, Reading fresh, int attempt) {
    if (attempt >= MAX_PLAN_ATTEMPTS) {
      return CompletableFuture.failedFuture(CoordinationException.of(ErrorCode.BACKEND_FAILURE, null,
          "gave up after " + attempt + " lost races with other writers"));
    }
    if (state.isTerminal()) {
      return CompletableFuture.failedFuture(stateRefusal(null));
    }
    Plan plan = new Plan(layout, p -> {
      NodeSnap s = fresh == null ? null : fresh.snaps.get(p);
      return s != null ? s : known.guess(p);
    }, lease, backend.time().epochMillis(), backend.maxDataBytes());
    CoordinationException failed = plan.apply(ops, multi);
    if (failed != null) {
      if (fresh != null && plan.decidedFrom(fresh.snaps)) {
        return CompletableFuture.failedFuture(failed);
      }
      Set<String> paths = new java.util.LinkedHashSet<>(Plan.pathsToRead(ops));
      paths.addAll(plan.consulted());
      return read(paths, false).thenCompose(r -> attempt(ops, multi, r, attempt + 1));
    }
    List<Cmp> cmps = plan.compares();
    List<io.etcd.jetcd.op.Op> then = new ArrayList<>(plan.writes());
    List<String> counted = plan.counted();
    for (String p : counted) {
      String prefix = layout.childrenPrefix(p);
      then.add(io.etcd.jetcd.op.Op.get(Layout.bytes(prefix),
          GetOption.builder().withRange(Layout.prefixEnd(prefix)).withCountOnly(true).build()));
    }
    String listed = listedWith(ops, multi);
    if (listed != null) {
      then.addAll(List.of(readOps(List.of(listed), true)));
    }
    Set<String> consulted = plan.consulted();
    backend.sentRequest();
    return commitHoldingEvents(() -> client.getKVClient().txn()
        .If(cmps.toArray(Cmp[]::new))
        .Then(then.toArray(io.etcd.jetcd.op.Op[]::new))
        .Else(readOps(consulted, false))
        .commit())
        .thenCompose((TxnResponse resp) -> {
          long revision = resp.getHeader().getRevision();
          List<GetResponse> gets = resp.getGetResponses();
          if (!resp.isSucceeded()) {
            return attempt(ops, multi, reading(consulted, false, gets, revision), attempt + 1);
          }
          plan.after(revision).forEach(known::learn);
          List<Long> counts = new ArrayList<>();
          for (int i = 0; i < counted.size(); i++) {
            counts.add(gets.get(i).getCount());
          }
          if (listed != null) {
            Reading listing = reading(List.of(listed), true, gets.subList(counted.size(), gets.size()), revision);
            long issuedNow;
            synchronized (this) {
              issuedNow = issued;
            }
            carried = new Carried(listing, issuedNow);
          }
          // Own changes fire this session's watches before the completion that shows them.
          List<WatchEvent> changes = plan.changes();
          post(() -> fireOwnWrite(changes, revision));
          return CompletableFuture.completedFuture(new Written(revision, plan, plan.results(revision, counts)));
        });
  }

  /**
   * The parent an ephemeral sequential create lists in its own transaction: the queue protocol
   * behind locks and elections lists it right after (etcd's own mutex reads the owner in the
   * transaction that puts its key, for the same reason). Null for any other write.
   */
  private static String listedWith(List<Op> ops, boolean multi) {
    if (!multi && ops.get(0) instanceof Op.Create c && c.mode() == CreateMode.EPHEMERAL_SEQUENTIAL) {
      return Plan.parentOf(c.path());
    }
    return null;
  }

  // ---------------------------------------------------------------- watches

  /** One one-shot registration: a data watch (exists, getData) or a child watch (getChildren). */
  private final class Registration {
    final String path;
    final boolean child;
    final Watcher watcher;
    /** The revision it was set at (the read's; after a reconnect, the re-arming read's). */
    long revision;
    /** Between a reconnect and the read that re-arms it: the resumed stream does not fire it. */
    boolean rearming;
    final boolean existed;
    final long owner;
    final long mzxid;
    final long pzxid;
    final long childCount;
    /** Counts {@link #arm} calls: the reply of an earlier arm's read is ignored. */
    int armed;
    /**
     * Completes once the registration is armed against the namespace watch (the stream's start
     * known, any change the stream passed judged), or ends: the read that set the watch completes
     * only then, so a change made after that read is heard through the stream, in order with this
     * session's other watches.
     */
    final CompletableFuture<Void> settled = new CompletableFuture<>();

    Registration(String path, boolean child, Watcher watcher, long revision, NodeSnap seen) {
      this.path = path;
      this.child = child;
      this.watcher = watcher;
      this.revision = revision;
      this.existed = seen.exists();
      this.owner = seen.exists() ? seen.data().getLease() : 0;
      this.mzxid = seen.dataModRevision();
      this.pzxid = seen.exists() ? seen.pzxid() : 0;
      this.childCount = seen.childCount();
    }

    boolean firesOn(WatchEvent.Type type) {
      return switch (type) {
        case NODE_DELETED -> true;
        case NODE_CHILDREN_CHANGED -> child;
        case NODE_CREATED, NODE_DATA_CHANGED -> !child;
      };
    }

    void cancel() {
      settled.complete(null);
    }
  }

  /** On the event thread (called from a read's completion, which runs there via submit). */
  private CompletableFuture<Void> register(Registration r) {
    // A watcher is registered once per path and kind, as ZooKeeper keeps watchers in sets.
    for (Registration existing : registrations) {
      if (existing.path.equals(r.path) && existing.child == r.child && existing.watcher == r.watcher) {
        return existing.settled;
      }
    }
    registrations.add(r);
    persistent.open();
    arm(r);
    return r.settled;
  }

  /**
   * Puts {@code r} in place against the namespace watch. Changes after {@code r.revision} that the
   * stream has yet to dispatch will fire it there; those it dispatched already (the stream runs
   * ahead of a read's reply under load) fire it now from the buffer of recent events; if the buffer
   * does not reach back to {@code r.revision} (the stream started after it, or the buffer has moved
   * on), one read of the node fires {@code r} if it changed, as any read of the node by this session
   * would ({@link #observe}). Until the stream's start is known, {@code r} waits ({@link
   * NamespaceWatch.Host#created}). Event thread.
   */
  private void arm(Registration r) {
    int generation = ++r.armed;
    if (!persistent.created()) {
      return;
    }
    long handled = persistent.handled();
    if (r.revision >= handled) {
      r.settled.complete(null);
      return;
    }
    if (persistent.covers(r.revision)) {
      for (NamespaceWatch.Recent e : persistent.since(r.revision)) {
        if (e.event().path().equals(r.path) && r.firesOn(e.event().type())) {
          firedFromBuffer++;
          registrations.remove(r);
          r.cancel();
          deliver(List.of(r.watcher), e.event());
          break;
        }
      }
      r.settled.complete(null);
      return;
    }
    if (state == SessionState.SUSPENDED) {
      r.settled.complete(null); // a reconnect is on the way, which re-arms from a fresh read
      return;
    }
    read(List.of(r.path), false).whenComplete((reading, error) -> post(() -> {
      if (error != null) {
        LOG.debug("reading {} to arm its watch failed: {}", r.path, error.toString());
      } else if (!state.isTerminal() && generation == r.armed && registrations.contains(r)) {
        observe(reading.snaps().get(r.path), reading.revision());
      }
      r.settled.complete(null);
    }));
  }

  /**
   * A read showed {@code seen} at {@code revision}: registrations on the node whose change it shows
   * fire now, before the read completes, whichever way the stream is going.
   */
  private void observe(NodeSnap seen, long revision) {
    if (registrations.isEmpty()) {
      return;
    }
    for (Registration r : List.copyOf(registrations)) {
      if (!r.path.equals(seen.path()) || r.revision >= revision) {
        continue;
      }
      WatchEvent.Type type = null;
      if (r.existed && (!seen.exists() || seen.czxid() > r.revision)) {
        type = WatchEvent.Type.NODE_DELETED;
      } else if (!r.existed && seen.exists()) {
        type = r.child ? null : WatchEvent.Type.NODE_CREATED;
      } else if (seen.exists() && !r.child && seen.dataModRevision() > r.mzxid) {
        type = WatchEvent.Type.NODE_DATA_CHANGED;
      } else if (seen.exists() && r.child && (seen.pzxid() > r.pzxid || seen.childCount() != r.childCount)) {
        type = WatchEvent.Type.NODE_CHILDREN_CHANGED;
      }
      if (type != null) {
        fire(type, r.path, revision);
      }
    }
  }

  /**
   * Sends a write transaction, the namespace watch holding its revisions until the outcome is
   * known: a success releases them from {@link #fireOwnWrite} (which the caller must post), anything
   * else (a refused guard, a failure) here. Any thread.
   */
  private CompletableFuture<TxnResponse> commitHoldingEvents(
      java.util.function.Supplier<CompletableFuture<TxnResponse>> commit) {
    writesInFlight.incrementAndGet();
    CompletableFuture<TxnResponse> sent;
    try {
      sent = commit.get();
    } catch (RuntimeException e) {
      sent = CompletableFuture.failedFuture(e);
    }
    return sent.whenComplete((resp, error) -> {
      if (error != null || !resp.isSucceeded()) {
        post(() -> writeSettled(Long.MAX_VALUE));
      }
    });
  }

  /** One write transaction is no longer in flight: the held revisions before {@code below} go (all, once none is). Event thread. */
  private void writeSettled(long below) {
    boolean last = writesInFlight.decrementAndGet() == 0;
    persistent.release(last ? Long.MAX_VALUE : below);
  }

  private void fire(WatchEvent.Type type, String path, long revision) {
    fire(type, path, revision, false);
  }

  /**
   * This session's write at {@code revision} made {@code changes} (one per op, in op order): each
   * fires the one-shot and persistent watches it triggers, a watcher once per change. Event thread.
   */
  private void fireOwnWrite(List<WatchEvent> changes, long revision) {
    if (state.isTerminal()) {
      writesInFlight.decrementAndGet();
      return;
    }
    // Other sessions' earlier changes first, then this write's, then the rest.
    persistent.release(revision);
    for (WatchEvent change : changes) {
      List<Watcher> ordered = new ArrayList<>();
      Map<Watcher, Boolean> targets = new IdentityHashMap<>();
      takeOneShot(change.type(), change.path(), revision, false, targets, ordered);
      for (Watcher w : persistent.fireOwn(change, revision)) {
        if (targets.put(w, Boolean.TRUE) == null) {
          ordered.add(w);
        }
      }
      deliver(ordered, change);
    }
    writeSettled(revision + 1);
  }

  /** Fires every registration on {@code path} that {@code type} at {@code revision} triggers; event thread. */
  private void fire(WatchEvent.Type type, String path, long revision, boolean fromStream) {
    if (state.isTerminal()) {
      return;
    }
    Map<Watcher, Boolean> targets = new IdentityHashMap<>();
    List<Watcher> ordered = new ArrayList<>();
    takeOneShot(type, path, revision, fromStream, targets, ordered);
    deliver(ordered, new WatchEvent(type, path));
  }

  /** Removes the one-shot registrations the change triggers and adds their watchers to {@code ordered}, once each. */
  private void takeOneShot(WatchEvent.Type type, String path, long revision, boolean fromStream,
      Map<Watcher, Boolean> targets, List<Watcher> ordered) {
    if (state.isTerminal()) {
      return;
    }
    for (Iterator<Registration> it = registrations.iterator(); it.hasNext(); ) {
      Registration r = it.next();
      if (r.path.equals(path) && r.revision < revision && r.firesOn(type) && !(fromStream && r.rearming)) {
        it.remove();
        r.cancel();
        if (targets.put(r.watcher, Boolean.TRUE) == null) {
          ordered.add(r.watcher);
        }
      }
    }
  }

  /** Hands {@code event} to each watcher; a watcher that throws is logged. Event thread. */
  private void deliver(List<Watcher> ordered, WatchEvent event) {
    String path = event.path();
    for (Watcher w : ordered) {
      backend.delivered();
      try {
        w.process(event);
      } catch (RuntimeException e) {
        LOG.warn("a watcher on {} threw", path, e);
      }
    }
  }

  private void fireOnClose(String path) {
    List<Watcher> ordered = new ArrayList<>();
    Map<Watcher, Boolean> seen = new IdentityHashMap<>();
    for (Iterator<Registration> it = registrations.iterator(); it.hasNext(); ) {
      Registration r = it.next();
      if (r.path.equals(path)) {
        it.remove();
        r.cancel();
        if (seen.put(r.watcher, Boolean.TRUE) == null) {
          ordered.add(r.watcher);
        }
      }
    }
    for (Watcher w : ordered) {
      backend.delivered();
      try {
        w.process(new WatchEvent(WatchEvent.Type.NODE_DELETED, path));
      } catch (RuntimeException e) {
        LOG.warn("a watcher on {} threw", path, e);
      }
    }
  }

  /** After a reconnect: the namespace watch resumes after its last revision; one-shot watches are judged. Event thread. */
  private void rearmWatches() {
    persistent.resume();
    judgeOneShot();
  }

  /**
   * As ZooKeeper's SetWatches does after a reconnect (and after etcd compacted revisions the stream
   * had not delivered): each one-shot watch fires if its node changed since it was set (judged by
   * the node's zxids against the revision the watch was set at), else it is armed again at the
   * revision of a fresh read. Event thread.
   */
  private void judgeOneShot() {
    if (registrations.isEmpty()) {
      return;
    }
    java.util.Set<String> paths = new java.util.LinkedHashSet<>();
    for (Registration r : registrations) {
      paths.add(r.path);
      r.rearming = true;
    }
    read(paths, false).whenComplete((reading, error) -> post(() -> {
      if (state.isTerminal()) {
        return;
      }
      if (error != null) {
        // Still cut off: the next reconnect tries again; meanwhile the stream may deliver.
        registrations.forEach(r -> r.rearming = false);
        return;
      }
      for (Registration r : List.copyOf(registrations)) {
        if (!registrations.contains(r) || !r.rearming) {
          continue;
        }
        NodeSnap seen = reading.snaps().get(r.path);
        if (seen == null) {
          r.rearming = false; // set while this read was on its way: armed already
          continue;
        }
        WatchEvent.Type type = null;
        if (r.child) {
          if (!seen.exists()) {
            type = WatchEvent.Type.NODE_DELETED;
          } else if (seen.pzxid() > r.revision || seen.childCount() != r.childCount) {
            type = WatchEvent.Type.NODE_CHILDREN_CHANGED;
          }
        } else if (r.existed) {
          if (!seen.exists()) {
            type = WatchEvent.Type.NODE_DELETED;
          } else if (seen.dataModRevision() > r.revision) {
            type = WatchEvent.Type.NODE_DATA_CHANGED;
          }
        } else if (seen.exists()) {
          type = WatchEvent.Type.NODE_CREATED;
        }
        r.rearming = false;
        if (type != null) {
          fire(type, r.path, reading.revision());
        } else {
          r.revision = reading.revision();
          arm(r);
        }
      }
    }));
  }

  private void dropWatches() {
    for (Registration r : registrations) {
      r.cancel();
    }
    registrations.clear();
    persistent.drop();
  }

  /**
   * For tests: how many one-shot registrations are not settled yet (not armed against the
   * namespace watch), counted on the event thread.
   */
  CompletableFuture<Integer> unsettledWatches() {
    CompletableFuture<Integer> count = new CompletableFuture<>();
    post(() -> count.complete((int) registrations.stream().filter(r -> !r.settled.isDone()).count()));
    return count;
  }

  /** For tests: how many registrations fired, as they were set, from the buffer of recent events. */
  CompletableFuture<Long> firedFromBuffer() {
    CompletableFuture<Long> count = new CompletableFuture<>();
    post(() -> count.complete(firedFromBuffer));
    return count;
  }

  /** Runs {@code task} on the event thread, unless the session has shut it down. */
  private void post(Runnable task) {
    try {
      events.execute(task);
    } catch (java.util.concurrent.RejectedExecutionException closed) {
      LOG.trace("event thread of {} is gone", this);
    }
  }
}
