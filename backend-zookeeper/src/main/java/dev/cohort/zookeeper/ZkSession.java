package dev.cohort.zookeeper;

import dev.cohort.spi.BadArgumentsException;
import dev.cohort.spi.BlockingSession;
import dev.cohort.spi.Capability;
import dev.cohort.spi.Children;
import dev.cohort.spi.ConnectionLossException;
import dev.cohort.spi.CoordinationException;
import dev.cohort.spi.CreateMode;
import dev.cohort.spi.Created;
import dev.cohort.spi.DataTooLargeException;
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
import dev.cohort.spi.WatchMode;
import dev.cohort.spi.Watcher;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArraySet;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.zookeeper.AddWatchMode;
import org.apache.zookeeper.KeeperException.Code;
import org.apache.zookeeper.WatchedEvent;
import org.apache.zookeeper.Watcher.Event.EventType;
import org.apache.zookeeper.Watcher.WatcherType;
import org.apache.zookeeper.ZooKeeper;
import org.apache.zookeeper.client.ZKClientConfig;
import org.apache.zookeeper.data.ACL;
import org.apache.zookeeper.server.EphemeralType;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One SPI session over one {@link ZooKeeper} handle.
 *
 * <h2>How it works</h2>
 * Every operation is sent with ZooKeeper's asynchronous API, and its future is completed from the
 * callback, on the handle's single event thread. ZooKeeper delivers watch events and callbacks on
 * that thread in server order, so the SPI's ordering guarantees (FIFO completions, watch event
 * before the data that shows the change) come straight from ZooKeeper. Requests the adapter refuses
 * itself (bad path, data too large, suspended session) are not sent; their futures fail only after
 * every previously issued operation has completed ({@link #refuse}), so completions stay in issue
 * order.
 *
 * <p>The {@linkplain #blocking() blocking view} ({@link ZkBlockingSession}) sends the same requests
 * with ZooKeeper's synchronous API instead, whose reply wakes the waiting caller straight from the
 * I/O thread. Both forms pass the same guards (the {@code *Refusal} methods: session state, then
 * arguments) and share the watcher adapter and the error mapping.
 *
 * <h2>States</h2>
 * The handle's default watcher receives only connection-state events and maps them: the first
 * SyncConnected opens the session (CONNECTED), Disconnected suspends it, SyncConnected after that
 * is RECONNECTED, Expired is EXPIRED (and the handle is released), and {@link #close()} is CLOSED.
 * Transitions are decided under {@link #lock} and delivered to listeners after it is released,
 * through a queue drained by one thread at a time, so listeners see each transition once, in order,
 * and never under a lock of this class.
 */
final class ZkSession implements Session {

  private static final Logger LOG = LoggerFactory.getLogger(ZkSession.class);

  private final ZooKeeperBackend backend;
  private final ZooKeeperBackend.Settings settings;
  private final Duration requestedTimeout;
  private final boolean ttlNodes;
  private final CompletableFuture<Session> opened = new CompletableFuture<>();
  /** Completed as soon as the constructor of the handle returns; state events wait for it. */
  private final CompletableFuture<ZooKeeper> handleReady = new CompletableFuture<>();
  private final Set<SessionStateListener> listeners = new CopyOnWriteArraySet<>();
  private final ConcurrentLinkedQueue<SessionState> undelivered = new ConcurrentLinkedQueue<>();
  private final AtomicBoolean delivering = new AtomicBoolean();
  /** Sequence number of the last operation sent; completions arrive in this order. */
  private final AtomicLong issuedSeq = new AtomicLong();
  /** Sequence number of the last operation completed. */
  private final AtomicLong completedSeq = new AtomicLong();
  /** Local refusals waiting for earlier operations to complete. */
  private final ConcurrentLinkedQueue<Refusal> refusals = new ConcurrentLinkedQueue<>();

  private final BlockingSession blocking = new ZkBlockingSession(this);

  private final Object lock = new Object();
  /** Null until the first SyncConnected. Written under {@link #lock}. */
  private volatile SessionState state;

  private volatile ZooKeeper zk;
  private volatile long sessionId;
  private volatile Duration grantedTimeout;
  private volatile ScheduledFuture<?> connectTimeout;

  ZkSession(ZooKeeperBackend backend, ZooKeeperBackend.Settings settings, Duration sessionTimeout) {
    this.backend = backend;
    this.settings = settings;
    this.requestedTimeout = sessionTimeout;
    this.ttlNodes = settings.capabilities().contains(Capability.TTL_NODES);
  }

  /** Starts connecting; the returned future completes when the session is CONNECTED. */
  CompletableFuture<Session> start() {
    int timeoutMs = (int) Math.min(Integer.MAX_VALUE, requestedTimeout.toMillis());
    // Scheduled first: the handle may connect before its constructor returns.
    connectTimeout = backend.timer().schedule(this::connectTimedOut,
        settings.connectionTimeout().toMillis(), TimeUnit.MILLISECONDS);
    ZooKeeper handle;
    try {
      handle = new ZooKeeper(settings.connectString(), timeoutMs, this::onStateEvent, new ZKClientConfig());
    } catch (IOException | RuntimeException e) {
      connectTimeout.cancel(false);
      opened.completeExceptionally(
          new ConnectionLossException(null, "cannot create a ZooKeeper client: " + e));
      handleReady.completeExceptionally(e);
      return opened;
    }
    zk = handle;
    // Before handleReady: state events wait for it, so the session cannot be handed out (and used)
    // before its credentials are queued ahead of every request.
    if (settings.authScheme() != null) {
      handle.addAuthInfo(settings.authScheme(), settings.authData());
    }
    handleReady.complete(handle);
    return opened;
  }

  private void connectTimedOut() {
    ConnectionLossException e = new ConnectionLossException(null,
        "no connection to " + settings.connectString() + " within " + settings.connectionTimeout());
    if (opened.completeExceptionally(e)) {
      synchronized (lock) {
        state = SessionState.CLOSED;
      }
      handleReady.thenAccept(h -> closeHandle());
    }
  }

  /** The password of the session, for tests that expire it through a second handle. */
  byte[] sessionPassword() {
    return zk.getSessionPasswd();
  }

  // ---------------------------------------------------------------- states

  private void onStateEvent(WatchedEvent event) {
    if (event.getType() != EventType.None) {
      return;
    }
    if (handleReady.isCompletedExceptionally()) {
      return;
    }
    handleReady.join();
    switch (event.getState()) {
      case SyncConnected, ConnectedReadOnly -> onConnected();
      case Disconnected -> moveTo(SessionState.SUSPENDED);
      case Expired -> onExpired();
      case AuthFailed -> LOG.warn("session 0x{}: authentication failed", Long.toHexString(sessionId));
      default -> {
        // Closed: close() reports CLOSED itself, exactly once.
      }
    }
  }

  private void onConnected() {
    SessionState next;
    synchronized (lock) {
      if (state == null) {
        sessionId = zk.getSessionId();
        grantedTimeout = Duration.ofMillis(zk.getSessionTimeout());
        next = state = SessionState.CONNECTED;
      } else if (state == SessionState.SUSPENDED) {
        next = state = SessionState.RECONNECTED;
      } else {
        return;
      }
    }
    if (next == SessionState.CONNECTED) {
      // No listener can exist yet: the session is handed out only now. Listeners added once the
      // caller has it hear of transitions from then on, so CONNECTED itself is not delivered.
      connectTimeout.cancel(false);
      if (opened.complete(this)) {
        LOG.debug("session 0x{} connected, timeout {}", Long.toHexString(sessionId), grantedTimeout);
      }
      return;
    }
    deliver(next);
  }

  private void moveTo(SessionState next) {
    synchronized (lock) {
      if (state == null || !state.isConnected()) {
        return;
      }
      state = next;
    }
    deliver(next);
  }

  private void onExpired() {
    boolean wasOpen;
    synchronized (lock) {
      if (state != null && state.isTerminal()) {
        return;
      }
      wasOpen = state != null;
      state = SessionState.EXPIRED;
    }
    if (wasOpen) {
      LOG.info("session 0x{} expired", Long.toHexString(sessionId));
      deliver(SessionState.EXPIRED);
    } else {
      opened.completeExceptionally(new SessionExpiredException(null, "expired while connecting"));
    }
    backend.forget(this);
    closeHandle();
  }

  /** Queues a transition and delivers queued transitions unless another thread is already doing so. */
  private void deliver(SessionState next) {
    undelivered.add(next);
    while (!undelivered.isEmpty() && delivering.compareAndSet(false, true)) {
      try {
        SessionState s;
        while ((s = undelivered.poll()) != null) {
          for (SessionStateListener listener : listeners) {
            try {
              listener.stateChanged(this, s);
            } catch (RuntimeException e) {
              LOG.warn("state listener {} failed on {}", listener, s, e);
            }
          }
        }
      } finally {
        delivering.set(false);
      }
    }
  }

  private void closeHandle() {
    ZooKeeper handle = zk;
    if (handle == null) {
      return;
    }
    try {
      handle.close();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  @Override
  public long id() {
    return sessionId;
  }

  @Override
  public SessionState state() {
    return state;
  }

  @Override
  public Duration sessionTimeout() {
    return grantedTimeout;
  }

  @Override
  public void addStateListener(SessionStateListener listener) {
    listeners.add(Objects.requireNonNull(listener, "listener"));
  }

  @Override
  public void removeStateListener(SessionStateListener listener) {
    listeners.remove(listener);
  }

  @Override
  public void close() {
    boolean wasOpen;
    synchronized (lock) {
      if (state != null && state.isTerminal()) {
        return;
      }
      wasOpen = state != null;
      state = SessionState.CLOSED;
    }
    if (!wasOpen) {
      // Closed (with its backend) while still connecting: whoever waits for it must hear of it.
      connectTimeout.cancel(false);
      opened.completeExceptionally(new SessionClosedException(null, "closed while connecting"));
    }
    handleReady.thenAccept(h -> closeHandle());
    backend.forget(this);
    LOG.debug("session 0x{} closed", Long.toHexString(sessionId));
    deliver(SessionState.CLOSED);
  }

  // ---------------------------------------------------------------- operations

  @Override
  public BlockingSession blocking() {
    return blocking;
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
    OpFuture<Created> f = new OpFuture<>();
    CoordinationException refused = createRefusal(path, data, mode, ttl);
    if (refused != null) {
      return refuse(f, refused);
    }
    track(f);
    org.apache.zookeeper.CreateMode zkMode = ZkConversions.toCreateMode(mode);
    org.apache.zookeeper.AsyncCallback.Create2Callback cb = (rc, p, ctx, name, stat) -> {
      if (rc == 0) {
        f.complete(new Created(name, toStat(stat)));
      } else {
        f.completeExceptionally(error(rc, path));
      }
    };
    byte[] copy = data.clone(); // serialized later, on the client's I/O thread
    if (ttl == null) {
      zk.create(path, copy, settings.acl(), zkMode, cb, null);
    } else {
      zk.create(path, copy, settings.acl(), zkMode, cb, null, ttl.toMillis());
    }
    return f;
  }

  @Override
  public CompletableFuture<Void> delete(String path, int version) {
    OpFuture<Void> f = new OpFuture<>();
    CoordinationException refused = deleteRefusal(path);
    if (refused != null) {
      return refuse(f, refused);
    }
    track(f);
    zk.delete(path, version, (rc, p, ctx) -> completeVoid(f, rc, path), null);
    return f;
  }

  @Override
  public CompletableFuture<Stat> exists(String path, Watcher watcher) {
    OpFuture<Stat> f = new OpFuture<>();
    CoordinationException refused = pathRefusal(path);
    if (refused != null) {
      return refuse(f, refused);
    }
    track(f);
    zk.exists(path, adapt(watcher), (rc, p, ctx, stat) -> {
      if (rc == 0) {
        f.complete(toStat(stat));
      } else if (rc == Code.NONODE.intValue()) {
        f.complete(null);
      } else {
        f.completeExceptionally(error(rc, path));
      }
    }, null);
    return f;
  }

  @Override
  public CompletableFuture<NodeData> getData(String path, Watcher watcher) {
    OpFuture<NodeData> f = new OpFuture<>();
    CoordinationException refused = pathRefusal(path);
    if (refused != null) {
      return refuse(f, refused);
    }
    track(f);
    zk.getData(path, adapt(watcher), (rc, p, ctx, data, stat) -> {
      if (rc == 0) {
        f.complete(new NodeData(data == null ? new byte[0] : data, toStat(stat)));
      } else {
        f.completeExceptionally(error(rc, path));
      }
    }, null);
    return f;
  }

  @Override
  public CompletableFuture<Stat> setData(String path, byte[] data, int version) {
    OpFuture<Stat> f = new OpFuture<>();
    CoordinationException refused = setDataRefusal(path, data);
    if (refused != null) {
      return refuse(f, refused);
    }
    track(f);
    zk.setData(path, data.clone(), version, (rc, p, ctx, stat) -> {
      if (rc == 0) {
        f.complete(toStat(stat));
      } else {
        f.completeExceptionally(error(rc, path));
      }
    }, null);
    return f;
  }

  @Override
  public CompletableFuture<Children> getChildren(String path, Watcher watcher) {
    OpFuture<Children> f = new OpFuture<>();
    CoordinationException refused = pathRefusal(path);
    if (refused != null) {
      return refuse(f, refused);
    }
    track(f);
    zk.getChildren(path, adapt(watcher), (rc, p, ctx, children, stat) -> {
      if (rc == 0) {
        f.complete(new Children(children, toStat(stat)));
      } else {
        f.completeExceptionally(error(rc, path));
      }
    }, null);
    return f;
  }

  @Override
  public CompletableFuture<Void> sync(String path) {
    OpFuture<Void> f = new OpFuture<>();
    CoordinationException refused = pathRefusal(path);
    if (refused != null) {
      return refuse(f, refused);
    }
    track(f);
    zk.sync(path, (rc, p, ctx) -> completeVoid(f, rc, path), null);
    return f;
  }

  @Override
  public CompletableFuture<List<OpResult>> multi(List<Op> ops) {
    OpFuture<List<OpResult>> f = new OpFuture<>();
    CoordinationException refused = multiRefusal(ops);
    if (refused != null) {
      return refuse(f, refused);
    }
    track(f);
    zk.multi(toZkOps(ops), (rc, p, ctx, results) -> {
      CoordinationException failed = multiFailure(rc, results, ops);
      if (failed == null) {
        f.complete(toResults(results));
      } else {
        f.completeExceptionally(failed);
      }
    }, null);
    return f;
  }

  @Override
  public CompletableFuture<Void> addWatch(String path, WatchMode mode, Watcher watcher) {
    Objects.requireNonNull(path, "path");
    Objects.requireNonNull(mode, "mode");
    Objects.requireNonNull(watcher, "watcher");
    OpFuture<Void> f = new OpFuture<>();
    CoordinationException refused = stateRefusal(path);
    if (refused == null && !settings.capabilities().contains(Capability.PERSISTENT_WATCHES)) {
      refused = new UnimplementedException(path, "persistent watches are not available on this ensemble");
    }
    if (refused == null) {
      refused = checkPath(path, false);
    }
    if (refused != null) {
      return refuse(f, refused);
    }
    track(f);
    AddWatchMode zkMode =
        mode == WatchMode.PERSISTENT ? AddWatchMode.PERSISTENT : AddWatchMode.PERSISTENT_RECURSIVE;
    zk.addWatch(path, new WatcherAdapter(watcher), zkMode, (rc, p, ctx) -> completeVoid(f, rc, path), null);
    return f;
  }

  @Override
  public CompletableFuture<Void> removeWatches(String path, Watcher watcher) {
    Objects.requireNonNull(path, "path");
    Objects.requireNonNull(watcher, "watcher");
    OpFuture<Void> f = new OpFuture<>();
    CoordinationException refused = stateRefusal(path);
    if (refused == null) {
      refused = checkPath(path, false);
    }
    if (refused != null) {
      return refuse(f, refused);
    }
    track(f);
    zk.removeWatches(path, new WatcherAdapter(watcher), WatcherType.Any, false, (rc, p, ctx) -> {
      // Removing a watch that is not there is a no-op in the SPI, an error in ZooKeeper.
      completeVoid(f, rc == Code.NOWATCHER.intValue() ? 0 : rc, path);
    }, null);
    return f;
  }

  // ---------------------------------------------------------------- plumbing

  /** The handle operations are sent on; set once the session is handed out. */
  ZooKeeper handle() {
    return zk;
  }

  List<ACL> acl() {
    return settings.acl();
  }

  Stat toStat(org.apache.zookeeper.data.Stat stat) {
    return ZkConversions.toStat(stat, ttlNodes);
  }

  List<OpResult> toResults(List<org.apache.zookeeper.OpResult> results) {
    return ZkConversions.toResults(results, ttlNodes);
  }

  static WatcherAdapter adapt(Watcher watcher) {
    return watcher == null ? null : new WatcherAdapter(watcher);
  }

  List<org.apache.zookeeper.Op> toZkOps(List<Op> ops) {
    List<org.apache.zookeeper.Op> zkOps = new ArrayList<>(ops.size());
    for (Op op : ops) {
      zkOps.add(ZkConversions.toOp(op, settings.acl()));
    }
    return zkOps;
  }

  /**
   * Why a multi failed, or null if it succeeded: the error of the op that failed, attributed to its
   * index, or the overall error when no op did (a lost connection). {@code rc} alone does not tell:
   * ZooKeeper's synchronous API returns a read multi whose ops failed as a success.
   */
  CoordinationException multiFailure(int rc, List<org.apache.zookeeper.OpResult> results, List<Op> ops) {
    int index = ZkConversions.failedOpIndex(results);
    if (index >= 0) {
      return error(ZkConversions.errorAt(results, index), ops.get(index).path()).atOp(index);
    }
    return rc == 0 ? null : error(rc, null);
  }

  private void completeVoid(CompletableFuture<Void> f, int rc, String path) {
    if (rc == 0) {
      f.complete(null);
    } else {
      f.completeExceptionally(error(rc, path));
    }
  }

  CoordinationException error(int rc, String path) {
    return ZkErrors.toException(rc, path, state == SessionState.CLOSED);
  }

  /** Numbers an operation about to be sent, before it is sent (its callback may run at once). */
  private void track(OpFuture<?> f) {
    f.seq = issuedSeq.incrementAndGet();
  }

  /**
   * Fails {@code f} with {@code e} once every operation issued before it has completed (and the
   * dependents of those completions have run), so refusals keep their place in the issue order.
   */
  private <T> CompletableFuture<T> refuse(CompletableFuture<T> f, CoordinationException e) {
    long after = issuedSeq.get();
    if (completedSeq.get() >= after) {
      f.completeExceptionally(e);
      return f;
    }
    refusals.add(new Refusal(after, f, e));
    drainRefusals(); // the operation waited for may have completed while we queued
    return f;
  }

  private void completedThrough(long seq) {
    long done;
    do {
      done = completedSeq.get();
    } while (seq > done && !completedSeq.compareAndSet(done, seq));
    if (!refusals.isEmpty()) {
      drainRefusals();
    }
  }

  private void drainRefusals() {
    long done = completedSeq.get();
    for (Refusal r : refusals) {
      if (r.after <= done && refusals.remove(r)) {
        r.future.completeExceptionally(r.error);
      }
    }
  }

  private record Refusal(long after, CompletableFuture<?> future, CoordinationException error) {}

  /**
   * The future of an operation sent to ZooKeeper. Completing it first runs its dependents, then lets
   * refusals queued behind it complete.
   */
  private final class OpFuture<T> extends CompletableFuture<T> {
    long seq;

    @Override
    public boolean complete(T value) {
      boolean first = super.complete(value);
      completedThrough(seq);
      return first;
    }

    @Override
    public boolean completeExceptionally(Throwable failure) {
      boolean first = super.completeExceptionally(failure);
      completedThrough(seq);
      return first;
    }
  }

  // ---------------------------------------------------------------- guards, shared by both forms

  // Each guard checks one operation's arguments (throwing NullPointerException for a null one) and
  // returns why the operation must not be sent now, or null to send it. The order is ZooKeeper's
  // own (measured, see ZooKeeperEdgeOracleTest): first what the ZooKeeper client checks before it
  // looks at its connection (path syntax, TTL arguments, a multi's mix of reads and writes), then the
  // session's state, then what the server would refuse (a missing capability, data over the limit,
  // a request too large for one packet). Everything else (the root, the reserved subtree, whether
  // nodes exist) is the server's to answer, so that a multi reports the op the server really fails.
  // The asynchronous form fails its future with the answer (in issue order, see refuse), the
  // blocking form throws it.

  CoordinationException createRefusal(String path, byte[] data, CreateMode mode, Duration ttl) {
    Objects.requireNonNull(path, "path");
    Objects.requireNonNull(data, "data");
    Objects.requireNonNull(mode, "mode");
    CoordinationException refused = checkCreateArguments(path, mode, ttl);
    if (refused == null) {
      refused = stateRefusal(path);
    }
    if (refused == null) {
      refused = checkCreateForServer(path, data, mode, ttl);
    }
    if (refused == null && mayExceedPacket(data.length, path)) {
      refused = checkPacket(path, ZkPacketSize.create(serverPath(path), data, settings.acl(),
          ZkConversions.toCreateMode(mode).toFlag(), ttl == null ? 0 : ttl.toMillis()));
    }
    return refused;
  }

  CoordinationException deleteRefusal(String path) {
    return pathRefusal(path);
  }

  /** The guard of exists, getData, getChildren, sync and delete: a valid path, then the state. */
  CoordinationException pathRefusal(String path) {
    Objects.requireNonNull(path, "path");
    CoordinationException refused = checkPath(path, false);
    return refused != null ? refused : stateRefusal(path);
  }

  CoordinationException setDataRefusal(String path, byte[] data) {
    Objects.requireNonNull(path, "path");
    Objects.requireNonNull(data, "data");
    CoordinationException refused = pathRefusal(path);
    if (refused == null) {
      refused = checkData(path, data.length);
    }
    if (refused == null && mayExceedPacket(data.length, path)) {
      refused = checkPacket(path, ZkPacketSize.setData(serverPath(path), data));
    }
    return refused;
  }

  /** Whether a one-op write may exceed the packet limit: only then is its exact size computed. */
  private boolean mayExceedPacket(int dataBytes, String path) {
    long pathChars = path.length() + (settings.chroot() == null ? 0 : settings.chroot().length());
    return ZkPacketSize.bound(dataBytes, 1, pathChars, settings.acl()) > settings.packetLimit();
  }

  CoordinationException multiRefusal(List<Op> ops) {
    Objects.requireNonNull(ops, "ops");
    ops.forEach(op -> Objects.requireNonNull(op, "op"));
    CoordinationException refused = checkMultiArguments(ops);
    if (refused == null) {
      refused = stateRefusal(null);
    }
    return refused != null ? refused : checkMultiForServer(ops);
  }

  /** Why the session cannot send anything now, or null if it can. */
  private CoordinationException stateRefusal(String path) {
    SessionState s = state;
    if (s == null || s.isConnected()) {
      return null;
    }
    return switch (s) {
      case SUSPENDED -> new ConnectionLossException(path, "the session is suspended");
      case EXPIRED -> new SessionExpiredException(path);
      default -> new SessionClosedException(path);
    };
  }

  private static CoordinationException checkPath(String path, boolean sequential) {
    String problem = Paths.problem(path, sequential);
    return problem == null ? null : new InvalidPathException(path, problem);
  }

  /** The path as the server sees it: the client prefixes the connect string's chroot. */
  private String serverPath(String path) {
    String chroot = settings.chroot();
    if (chroot == null) {
      return path;
    }
    return path.equals(Paths.ROOT) ? chroot : chroot + path;
  }

  private CoordinationException checkData(String path, int length) {
    if (length > settings.maxDataBytes()) {
      return new DataTooLargeException(path,
          length + " bytes is more than the limit of " + settings.maxDataBytes() + " bytes");
    }
    if (length + (long) ZkPacketSize.GET_DATA_REPLY_OVERHEAD_BYTES > settings.packetLimit()) {
      return new DataTooLargeException(path, "a node of " + length + " bytes could not be read back: "
          + "its getData reply would exceed ZooKeeper's packet limit (jute.maxbuffer) of "
          + settings.packetLimit() + " bytes");
    }
    return null;
  }

  /** Refuses a request the server would drop with the connection. */
  private CoordinationException checkPacket(String path, long requestBytes) {
    if (requestBytes > settings.packetLimit()) {
      return new DataTooLargeException(path, "the request would be " + requestBytes
          + " bytes, more than ZooKeeper's packet limit (jute.maxbuffer) of " + settings.packetLimit()
          + " bytes");
    }
    return null;
  }

  /** What the ZooKeeper client itself refuses in a create, whatever the connection's state. */
  private static CoordinationException checkCreateArguments(String path, CreateMode mode, Duration ttl) {
    CoordinationException invalid = checkPath(path, mode.isSequential());
    if (invalid != null) {
      return invalid;
    }
    if (mode.isTtl() && ttl == null) {
      return new BadArgumentsException(path, mode + " needs a TTL");
    }
    if (!mode.isTtl() && ttl != null) {
      return new BadArgumentsException(path, mode + " takes no TTL");
    }
    if (ttl != null && (ttl.toMillis() <= 0 || ttl.toMillis() > EphemeralType.TTL.maxValue())) {
      return new BadArgumentsException(path,
          "TTL must be between 1 ms and " + EphemeralType.TTL.maxValue() + " ms: " + ttl);
    }
    return null;
  }

  /**
   * What the ensemble would refuse in a create, short of the tree's state: a mode it does not
   * support, data over the limit. The root is left to the server: it answers NodeExists, and a
   * sequential create directly under it ({@code /0000000000}) is allowed.
   */
  private CoordinationException checkCreateForServer(String path, byte[] data, CreateMode mode, Duration ttl) {
    if (mode.isContainer() && !settings.capabilities().contains(Capability.CONTAINER_NODES)) {
      return new UnimplementedException(path, "container nodes are not available on this ensemble");
    }
    if (mode.isTtl() && !settings.capabilities().contains(Capability.TTL_NODES)) {
      return new UnimplementedException(path,
          "TTL nodes are not enabled on this ensemble (zookeeper.extendedTypesEnabled)");
    }
    return checkData(path, data.length);
  }

  /**
   * What the ZooKeeper client refuses in a multi before anything else, an invalid path in any op
   * first (ZooKeeper validates every op before it sends one), then a mix of reads and writes; and
   * an empty multi, which the SPI refuses.
   */
  private static CoordinationException checkMultiArguments(List<Op> ops) {
    if (ops.isEmpty()) {
      return new BadArgumentsException(null, "a multi needs at least one op");
    }
    for (int i = 0; i < ops.size(); i++) {
      Op op = ops.get(i);
      CoordinationException e = op instanceof Op.Create c
          ? checkCreateArguments(c.path(), c.mode(), c.ttl())
          : checkPath(op.path(), false);
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

  /**
   * What the ensemble would refuse in a multi as a whole: a mode it does not support, more data
   * than the limit in all its ops together (ZooKeeper sends and applies a multi as one request), or
   * a request too large for one packet.
   */
  private CoordinationException checkMultiForServer(List<Op> ops) {
    long totalBytes = 0;
    long pathChars = 0;
    for (int i = 0; i < ops.size(); i++) {
      Op op = ops.get(i);
      if (op instanceof Op.Create c) {
        CoordinationException e = checkCreateForServer(c.path(), new byte[0], c.mode(), c.ttl());
        if (e != null) {
          return e.atOp(i);
        }
      }
      int length = op instanceof Op.Create c ? c.data().length : op instanceof Op.SetData s ? s.data().length : 0;
      CoordinationException e = length == 0 ? null : checkData(op.path(), length);
      if (e != null) {
        return e.atOp(i);
      }
      totalBytes += length;
      pathChars += op.path().length() + (settings.chroot() == null ? 0 : settings.chroot().length());
      if (totalBytes > settings.maxDataBytes()) {
        return new DataTooLargeException(op.path(), "the ops of the multi carry " + totalBytes
            + " bytes or more, more than the limit of " + settings.maxDataBytes()
            + " bytes for a whole multi").atOp(i);
      }
    }
    if (ops.get(0).isRead()
        || ZkPacketSize.bound(totalBytes, ops.size(), pathChars, settings.acl()) <= settings.packetLimit()) {
      return null;
    }
    List<org.apache.zookeeper.Op> serverOps = new ArrayList<>(ops.size());
    for (Op op : ops) {
      serverOps.add(ZkConversions.toOp(op, settings.acl(), serverPath(op.path())));
    }
    return checkPacket(null, ZkPacketSize.multi(serverOps));
  }

  @Override
  public String toString() {
    return "ZooKeeperSession[0x" + Long.toHexString(sessionId) + ", " + state + "]";
  }
}
