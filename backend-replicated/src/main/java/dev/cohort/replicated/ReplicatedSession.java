package dev.cohort.replicated;

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
import dev.cohort.spi.DataTooLargeException;
import dev.cohort.spi.NodeData;
import dev.cohort.spi.Op;
import dev.cohort.spi.OpResult;
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
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

/**
 * A session of a {@link ReplicatedBackend}: the client end of one ZooKeeper-style session, attached
 * to one replica at a time.
 *
 * <h2>How it works</h2>
 * Calls from any thread are handed to the cluster's event loop, which numbers them, sends them to
 * the attached replica and completes them, strictly in issue order, on this session's {@link
 * DeliveryQueue}. The session pings its replica; when the replica crashes (connection reset) or
 * stays silent for the connection timeout (a third of the session timeout, at most 2 s), the
 * session goes SUSPENDED, fails its in-flight calls with ConnectionLoss and moves to the next
 * replica with its id, the newest zxid it has seen and the watches it holds. The new replica
 * attaches it through the log (so its view is never older than what the session saw), re-arms the
 * watches — firing those whose node changed meanwhile — and the session is RECONNECTED. If the
 * leader expired it meanwhile, it is told so and becomes EXPIRED.
 *
 * <p>Fields marked "loop" are touched on the event loop only.
 */
final class ReplicatedSession implements Session {
  private static final long MAX_CONNECTION_TIMEOUT_NANOS = 2_000_000_000L;

  private final ReplicatedBackend backend;
  private final Cluster cluster;
  private final int endpoint;
  private final long id;
  private final long requestedTimeoutMillis;
  private final DeliveryQueue delivery;
  private final CopyOnWriteArrayList<SessionStateListener> listeners = new CopyOnWriteArrayList<>();
  private final CompletableFuture<Session> opened = new CompletableFuture<>();
  private final CompletableFuture<Void> closedByService = new CompletableFuture<>();
  private volatile SessionState state;
  private volatile long grantedTimeoutMillis;

  // loop
  private int replica;
  private boolean linkUp;
  private boolean everConnected;
  private boolean heldOff;
  private boolean loseNextReply;
  private boolean closing;
  private long connectStartedNanos;
  private long lastHeardNanos;
  private long lastZxid;
  private long wseq;
  private long nextReqId = 1;
  private final LinkedHashMap<Long, Call> calls = new LinkedHashMap<>();
  private final List<WatchRegistry.Held> held = new ArrayList<>();

  /** One call, completed in issue order once its result is known. */
  private static final class Call {
    final Wire.Body body;
    final CompletableFuture<Object> future;
    final Function<Object, Object> convert;
    boolean hasOutcome;
    Object result;
    Throwable error;

    Call(Wire.Body body, CompletableFuture<Object> future, Function<Object, Object> convert) {
      this.body = body;
      this.future = future;
      this.convert = convert;
    }
  }

  ReplicatedSession(ReplicatedBackend backend, Cluster cluster, int endpoint, long id, long timeoutMillis) {
    this.backend = backend;
    this.cluster = cluster;
    this.endpoint = endpoint;
    this.id = id;
    this.requestedTimeoutMillis = timeoutMillis;
    this.grantedTimeoutMillis = timeoutMillis;
    this.delivery = new DeliveryQueue(cluster.callbackExecutor());
  }

  /** Starts connecting; the future completes once CONNECTED. Loop. */
  CompletableFuture<Session> open() {
    connectTo(cluster.firstReplicaForNewSession());
    schedulePing();
    return opened;
  }

  int replica() {
    return replica;
  }

  int endpoint() {
    return endpoint;
  }

  long lastZxidSeen() {
    return lastZxid;
  }

  // ------------------------------------------------------------------ Session API

  @Override
  public long id() {
    return id;
  }

  @Override
  public SessionState state() {
    SessionState s = state;
    return s == null ? SessionState.SUSPENDED : s;
  }

  @Override
  public Duration sessionTimeout() {
    return Duration.ofMillis(grantedTimeoutMillis);
  }

  @Override
  public void addStateListener(SessionStateListener listener) {
    Objects.requireNonNull(listener, "listener");
    listeners.addIfAbsent(listener);
  }

  @Override
  public void removeStateListener(SessionStateListener listener) {
    listeners.remove(listener);
  }

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
    CoordinationException refused = checkCreate(path, data, mode);
    TxnOp op = new TxnOp.CreateNode(path, data, mode, ttl == null ? 0 : ttl.toMillis());
    return submit(new Wire.WriteBody(op), invalid, refused, r -> {
      Outcome.Created c = (Outcome.Created) r;
      return new Created(c.path(), c.stat());
    });
  }

  /** What the service refuses in a create after the session's state: a capability, the data limit. */
  private CoordinationException checkCreate(String path, byte[] data, CreateMode mode) {
    if (mode.isContainer() && !backend.has(Capability.CONTAINER_NODES)) {
      return new UnimplementedException(path, "container nodes are not enabled on this backend");
    }
    if (mode.isTtl() && !backend.has(Capability.TTL_NODES)) {
      return new UnimplementedException(path, "TTL nodes are not enabled on this backend");
    }
    return tooLarge(path, data);
  }

  /** Refused before it reaches the log, so an oversized write never costs replication. */
  private CoordinationException tooLarge(String path, byte[] data) {
    int max = cluster.settings().maxDataBytes();
    return data.length > max
        ? new DataTooLargeException(path, data.length + " bytes is more than the limit of " + max) : null;
  }

  @Override
  public CompletableFuture<Void> delete(String path, int version) {
    Objects.requireNonNull(path, "path");
    return submit(new Wire.WriteBody(new TxnOp.DeleteNode(path, version)), RequestChecks.path(path), null, r -> null);
  }

  @Override
  public CompletableFuture<Stat> setData(String path, byte[] data, int version) {
    Objects.requireNonNull(path, "path");
    Objects.requireNonNull(data, "data");
    return submit(new Wire.WriteBody(new TxnOp.SetData(path, data.clone(), version)), RequestChecks.path(path),
        tooLarge(path, data),
        r -> ((Outcome.DataSet) r).stat());
  }

  @Override
  public CompletableFuture<Stat> exists(String path, Watcher watcher) {
    Objects.requireNonNull(path, "path");
    return submit(new Wire.Read(Wire.ReadKind.EXISTS, path, watcher), RequestChecks.path(path), null, r -> (Stat) r);
  }

  @Override
  public CompletableFuture<NodeData> getData(String path, Watcher watcher) {
    Objects.requireNonNull(path, "path");
    return submit(new Wire.Read(Wire.ReadKind.GET_DATA, path, watcher), RequestChecks.path(path), null,
        r -> (NodeData) r);
  }

  @Override
  public CompletableFuture<Children> getChildren(String path, Watcher watcher) {
    Objects.requireNonNull(path, "path");
    return submit(new Wire.Read(Wire.ReadKind.GET_CHILDREN, path, watcher), RequestChecks.path(path), null,
        r -> (Children) r);
  }

  @Override
  public CompletableFuture<Void> sync(String path) {
    Objects.requireNonNull(path, "path");
    return submit(new Wire.SyncBody(), RequestChecks.path(path), null, r -> null);
  }

  @Override
  @SuppressWarnings("unchecked")
  public CompletableFuture<List<OpResult>> multi(List<Op> ops) {
    Objects.requireNonNull(ops, "ops");
    List<Op> copy = List.copyOf(ops);
    CoordinationException invalid = RequestChecks.multi(copy);
    if (invalid == null && copy.get(0).isRead()) {
      return submit(new Wire.ReadMulti(copy), null, null, r -> (List<OpResult>) r);
    }
    CoordinationException refused = invalid != null ? null : checkMulti(copy);
    List<TxnOp> txnOps = invalid == null && refused == null ? TxnOp.ofWrites(copy) : List.of();
    return submit(new Wire.WriteBody(new TxnOp.Multi(txnOps)), invalid, refused, r -> {
      List<OpResult> results = new ArrayList<>();
      for (Outcome each : ((Outcome.MultiDone) r).results()) {
        results.add(Outcome.toOpResult(each));
      }
      return List.copyOf(results);
    });
  }

  /**
   * What the service refuses in a write multi after the session's state, before it reaches the log:
   * a capability, more data than the limit in one op or all of them together.
   */
  private CoordinationException checkMulti(List<Op> ops) {
    for (int i = 0; i < ops.size(); i++) {
      if (ops.get(i) instanceof Op.Create c) {
        CoordinationException refused = checkCreate(c.path(), new byte[0], c.mode());
        if (refused != null) {
          return refused.atOp(i);
        }
      }
    }
    return RequestChecks.multiDataSize(ops, cluster.settings().maxDataBytes());
  }



  @Override
  public CompletableFuture<Void> addWatch(String path, WatchMode mode, Watcher watcher) {
    Objects.requireNonNull(path, "path");
    Objects.requireNonNull(mode, "mode");
    Objects.requireNonNull(watcher, "watcher");
    CoordinationException refused = backend.has(Capability.PERSISTENT_WATCHES) ? null
        : new UnimplementedException(path, "persistent watches are not enabled on this backend");
    WatchRegistry.Kind kind = mode == WatchMode.PERSISTENT
        ? WatchRegistry.Kind.PERSISTENT : WatchRegistry.Kind.PERSISTENT_RECURSIVE;
    return submit(new Wire.AddWatch(path, kind, watcher), RequestChecks.path(path), refused, r -> null);
  }

  @Override
  public CompletableFuture<Void> removeWatches(String path, Watcher watcher) {
    Objects.requireNonNull(path, "path");
    Objects.requireNonNull(watcher, "watcher");
    return submit(new Wire.RemoveWatches(path, watcher), RequestChecks.path(path), null, r -> null);
  }

  @Override
  public void close() {
    if (state().isTerminal()) {
      return;
    }
    CompletableFuture<Void> done = new CompletableFuture<>();
    cluster.loop().execute(() -> beginClose(done));
    if (cluster.loop().inLoop()) {
      return; // the simulation: the close proceeds as virtual time runs
    }
    try {
      done.get(grantedTimeoutMillis, TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
      // the service did not answer in time: it will expire the session
    }
  }

  private void beginClose(CompletableFuture<Void> done) {
    if (state().isTerminal() || closing) {
      done.complete(null);
      return;
    }
    closing = true;
    closedByService.whenComplete((v, e) -> done.complete(null));
    if (!linkUp) {
      finish(SessionState.CLOSED, new SessionClosedException(null, "the session was closed"));
      done.complete(null);
      return;
    }
    long reqId = nextReqId++;
    Call call = new Call(new Wire.CloseBody(), new CompletableFuture<>(), r -> null);
    calls.put(reqId, call);
    cluster.fromSession(endpoint, replica, new Wire.Request(id, reqId, ++wseq, call.body));
  }

  // ------------------------------------------------------------------ issuing (loop)

  @SuppressWarnings("unchecked")
  /**
   * Issues a request. {@code invalid}, if not null, answers it before the session's state (what
   * ZooKeeper's client refuses whatever its connection: see RequestChecks); {@code refused}, if not
   * null, answers it when the state lets it through (what the service would refuse).
   */
  private <T> CompletableFuture<T> submit(Wire.Body body, CoordinationException invalid,
      CoordinationException refused, Function<Object, T> convert) {
    CompletableFuture<Object> future = new CompletableFuture<>();
    if (backend.isClosed() && state().isTerminal()) {
      // the loop may be gone: answer here, in the same order of checks
      future.completeExceptionally(invalid != null ? invalid : state() == SessionState.EXPIRED
          ? new SessionExpiredException(null, "session 0x" + Long.toHexString(id) + " has expired")
          : new SessionClosedException(null, "session 0x" + Long.toHexString(id) + " is closed"));
      return (CompletableFuture<T>) future;
    }
    cluster.loop().execute(() -> issue(body, invalid, refused, (Function<Object, Object>) convert, future));
    return (CompletableFuture<T>) future;
  }

  private void issue(Wire.Body body, CoordinationException invalid, CoordinationException refused,
      Function<Object, Object> convert, CompletableFuture<Object> future) {
    long reqId = nextReqId++;
    Call call = new Call(body, future, convert);
    calls.put(reqId, call);
    CoordinationException early = invalid;
    if (early == null) {
      SessionState s = state();
      if (s == SessionState.EXPIRED) {
        early = new SessionExpiredException(null, "session 0x" + Long.toHexString(id) + " has expired");
      } else if (s == SessionState.CLOSED || closing) {
        early = new SessionClosedException(null, "session 0x" + Long.toHexString(id) + " is closed");
      } else if (!linkUp) {
        early = new ConnectionLossException(null, "the session is not connected to any replica");
      } else {
        early = refused;
      }
    }
    if (early != null) {
      call.hasOutcome = true;
      call.error = early;
      drainCalls();
      return;
    }
    long seq = body.isWrite() ? ++wseq : 0;
    cluster.fromSession(endpoint, replica, new Wire.Request(id, reqId, seq, body));
  }

  /** Completes, in issue order, every call at the head whose outcome is known. */
  private void drainCalls() {
    Iterator<Map.Entry<Long, Call>> it = calls.entrySet().iterator();
    while (it.hasNext()) {
      Call c = it.next().getValue();
      if (!c.hasOutcome) {
        return;
      }
      it.remove();
      Object result = c.result;
      Throwable error = c.error;
      delivery.enqueue(() -> {
        if (error != null) {
          c.future.completeExceptionally(error);
        } else {
          Object converted;
          try {
            converted = c.convert.apply(result);
          } catch (RuntimeException e) {
            c.future.completeExceptionally(e);
            return;
          }
          c.future.complete(converted);
        }
      });
    }
  }

  /** Fails every call in flight, in order. */
  private void failAll(CoordinationException error) {
    for (Call c : calls.values()) {
      if (!c.hasOutcome) {
        c.hasOutcome = true;
        c.error = error;
      }
    }
    drainCalls();
  }

  // ------------------------------------------------------------------ from the replica (loop)

  void onMessage(int from, Object msg) {
    if (from != replica || state().isTerminal()) {
      return; // a straggler from a replica this session has left
    }
    lastHeardNanos = cluster.loop().nowNanos();
    if (msg instanceof Wire.Reply r) {
      onReply(r);
    } else if (msg instanceof Wire.Event e) {
      onEvent(e);
    } else if (msg instanceof Wire.Connected c) {
      onConnected(c);
    } else if (msg instanceof Wire.Expired) {
      finish(SessionState.EXPIRED, new SessionExpiredException(null, "session 0x" + Long.toHexString(id) + " expired"));
    } else if (msg instanceof Wire.Pong p) {
      lastZxid = Math.max(lastZxid, p.zxid());
    }
  }

  private void onReply(Wire.Reply r) {
    Call c = calls.get(r.reqId());
    if (c == null) {
      return;
    }
    if (c.body instanceof Wire.CloseBody) {
      calls.remove(r.reqId());
      finish(SessionState.CLOSED, new SessionClosedException(null, "the session was closed"));
      return;
    }
    lastZxid = Math.max(lastZxid, r.zxid());
    if (loseNextReply) {
      loseNextReply = false;
      connectionLost("reply lost (fault injection)");
      return;
    }
    if (r.watchKind() != null) {
      Watcher w = c.body instanceof Wire.Read read ? read.watcher() : ((Wire.AddWatch) c.body).watcher();
      String path = c.body instanceof Wire.Read read ? read.path() : ((Wire.AddWatch) c.body).path();
      held.add(new WatchRegistry.Held(r.watchKind(), path, w));
    }
    if (c.body instanceof Wire.RemoveWatches rm) {
      held.removeIf(h -> h.path().equals(rm.path()) && h.watcher() == rm.watcher());
    }
    c.hasOutcome = true;
    c.result = r.result();
    c.error = r.error();
    drainCalls();
  }

  private void onEvent(Wire.Event e) {
    lastZxid = Math.max(lastZxid, e.zxid());
    WatchEvent ev = e.event();
    held.removeIf(h -> h.watcher() == e.watcher() && h.path().equals(ev.path()) && !h.kind().isPersistent()
        && fires(h.kind(), ev.type()));
    Watcher w = e.watcher();
    delivery.enqueue(() -> w.process(ev));
    backend.countEvent();
  }

  private static boolean fires(WatchRegistry.Kind kind, WatchEvent.Type type) {
    return switch (type) {
      case NODE_CREATED -> kind == WatchRegistry.Kind.EXIST;
      case NODE_DATA_CHANGED -> kind == WatchRegistry.Kind.DATA;
      case NODE_DELETED -> kind == WatchRegistry.Kind.DATA || kind == WatchRegistry.Kind.CHILD;
      case NODE_CHILDREN_CHANGED -> kind == WatchRegistry.Kind.CHILD;
    };
  }

  private void onConnected(Wire.Connected c) {
    lastZxid = Math.max(lastZxid, c.zxid());
    if (c.timeoutMillis() > 0) {
      grantedTimeoutMillis = c.timeoutMillis();
    }
    linkUp = true;
    if (!everConnected) {
      everConnected = true;
      setState(SessionState.CONNECTED);
      opened.complete(this);
    } else {
      setState(SessionState.RECONNECTED);
    }
  }

  // ------------------------------------------------------------------ connection management (loop)

  private void connectTo(int target) {
    replica = target;
    linkUp = false;
    connectStartedNanos = cluster.loop().nowNanos();
    lastHeardNanos = connectStartedNanos;
    long timeout = everConnected ? 0 : requestedTimeoutMillis;
    cluster.fromSession(endpoint, target, new Wire.Connect(id, timeout, lastZxid, wseq, List.copyOf(held)));
  }

  /** The connection to the current replica is gone: suspend, fail what is in flight, move on. */
  void connectionLost(String why) {
    if (state().isTerminal()) {
      return;
    }
    boolean wasUp = linkUp;
    linkUp = false;
    failAll(new ConnectionLossException(null, why));
    if (closing) {
      finish(SessionState.CLOSED, new SessionClosedException(null, "the session was closed"));
      return;
    }
    if (wasUp) {
      setState(SessionState.SUSPENDED);
    }
    if (!heldOff) {
      int next = why.startsWith("reply lost") ? replica : replica % cluster.size() + 1;
      connectTo(next);
    }
  }

  /** Cuts this session off until {@link #reconnect()} (the fixture's disconnect). */
  void disconnect() {
    heldOff = true;
    cluster.network().cutBoth(endpoint, replica);
    connectionLost("disconnected (fault injection)");
  }

  void reconnect() {
    if (!heldOff) {
      return;
    }
    heldOff = false;
    cluster.network().restoreBoth(endpoint, replica);
    if (!state().isTerminal()) {
      connectTo(replica);
    }
  }

  /** Ends the session on this side without asking the service (the backend is closing). */
  void forceClosed() {
    finish(SessionState.CLOSED, new SessionClosedException(null, "the backend was closed"));
  }

  void loseNextReply() {
    loseNextReply = true;
  }

  /** Moves the session to {@code target} now, as if its replica had failed. */
  void moveTo(int target) {
    if (state().isTerminal()) {
      return;
    }
    linkUp = false;
    failAll(new ConnectionLossException(null, "moving to replica " + target));
    setState(SessionState.SUSPENDED);
    connectTo(target);
  }

  private long connectionTimeoutNanos() {
    return Math.min(MAX_CONNECTION_TIMEOUT_NANOS, grantedTimeoutMillis * 1_000_000L / 3);
  }

  private void schedulePing() {
    long interval = Math.max(cluster.settings().tickNanos(), connectionTimeoutNanos() / 4);
    cluster.loop().schedule(interval, () -> {
      if (state().isTerminal()) {
        return;
      }
      pingOrGiveUp();
      schedulePing();
    });
  }

  private void pingOrGiveUp() {
    long now = cluster.loop().nowNanos();
    if (heldOff) {
      return;
    }
    if (!everConnected && now - connectStartedNanos > requestedTimeoutMillis * 1_000_000L * 2) {
      finish(SessionState.CLOSED, new ConnectionLossException(null, "no replica could be reached"));
      cluster.forget(endpoint);
      opened.completeExceptionally(new ConnectionLossException(null,
          "could not reach a replica with a leader within the session timeout"));
      return;
    }
    if (now - lastHeardNanos > connectionTimeoutNanos()) {
      if (linkUp) {
        connectionLost("replica " + replica + " stopped answering");
      } else {
        connectTo(replica % cluster.size() + 1); // this replica could not attach us: try the next
      }
      return;
    }
    if (linkUp) {
      cluster.fromSession(endpoint, replica, new Wire.Ping(id));
    }
  }

  private void finish(SessionState terminal, CoordinationException error) {
    if (state().isTerminal()) {
      return;
    }
    linkUp = false;
    failAll(error);
    setState(terminal);
    cluster.forget(endpoint);
    ReplicaService svc = cluster.service(replica);
    if (svc != null && terminal == SessionState.CLOSED) {
      svc.detach(id);
    }
    closedByService.complete(null);
    if (!opened.isDone()) {
      opened.completeExceptionally(error);
    }
  }

  private void setState(SessionState next) {
    if (state == next) {
      return;
    }
    state = next;
    for (SessionStateListener l : listeners) {
      delivery.enqueue(() -> l.stateChanged(this, next));
    }
  }

  @Override
  public String toString() {
    return "ReplicatedSession[0x" + Long.toHexString(id) + " " + state() + " on replica " + replica + "]";
  }
}
