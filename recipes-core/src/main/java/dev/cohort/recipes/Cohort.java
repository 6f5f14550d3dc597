package dev.cohort.recipes;

import dev.cohort.spi.Children;
import dev.cohort.spi.ConnectionLossException;
import dev.cohort.spi.CoordinationBackend;
import dev.cohort.spi.CreateMode;
import dev.cohort.spi.Created;
import dev.cohort.spi.NodeData;
import dev.cohort.spi.Op;
import dev.cohort.spi.OpResult;
import dev.cohort.spi.Paths;
import dev.cohort.spi.Session;
import dev.cohort.spi.SessionConfig;
import dev.cohort.spi.SessionExpiredException;
import dev.cohort.spi.SessionState;
import dev.cohort.spi.Stat;
import dev.cohort.spi.TimeSource;
import dev.cohort.spi.WatchMode;
import dev.cohort.spi.Watcher;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.random.RandomGenerator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The Cohort client: one session at a time on a {@link CoordinationBackend}, a namespace, retries
 * for lost connections, and the one {@link ConnectionState} model every recipe follows.
 *
 * <h2>How it works</h2>
 * The client holds the current {@link Session}. It maps the session's states onto {@link
 * ConnectionState}: SUSPENDED and RECONNECTED pass through; an EXPIRED session (or one closed under
 * the client) becomes {@link ConnectionState#LOST}, after which the client opens a new session by
 * itself, retrying with backoff, and reports {@link ConnectionState#RECONNECTED} once it has one.
 * Recipes listen for these transitions and re-establish what they owned. The whole graph is on
 * {@link ConnectionState}.
 *
 * <h2>Bounded time while cut off</h2>
 * A service learns nothing from a client it cannot hear, and a client cut off learns of its
 * session's expiry only when it reaches the service again. So the client does not wait to be told:
 * once its session has stayed SUSPENDED for the whole session timeout the service granted, measured
 * on the client's {@link TimeSource}, the client reports {@link ConnectionState#LOST} by itself,
 * abandons that session (closes it and never uses it again, even if its connection comes back) and
 * opens a new one, exactly as after an expiry. Every lock, lease and leadership of the client
 * therefore ends, locally, no later than the session timeout after the SUSPENDED.
 *
 * <p>The timeout is counted from the moment the session reported SUSPENDED, the last moment the
 * client knows it was in contact, not from the last reply it happened to receive: a quiet
 * but connected session exchanges no replies, so the last reply says nothing about when contact
 * ended, while SUSPENDED is reported as soon as the backend's client notices the loss. Counting
 * from it never declares LOST before the service could have expired the session (the service
 * counts from the last message it had, which is no later), at the cost that LOST may come up to
 * the backend's detection delay after the service's expiry (ZooKeeper's client notices after at
 * most two thirds of the session timeout without a reply; the in-memory backend's fault control at
 * once). Applications that fence with {@link FencingToken}s stay safe in that window; those that
 * cannot should treat SUSPENDED as loss ({@code RELEASE_ON_SUSPEND}).
 *
 * <p>The current state is readable at any moment without waiting ({@link #connectionState()}); it
 * changes on the backend's thread the instant the session reports a transition. Listeners learn of
 * it afterwards, in order, on the listener executor: never on a backend thread, never under a lock.
 *
 * <p>Operations ({@link #async()}, {@link #blocking()}) take paths relative to the namespace and
 * are retried under the {@link RetryPolicy} when a lost connection leaves their outcome unknown and
 * retrying is safe. Retry delays use the injected {@link DelayScheduler} and elapsed time the
 * injected {@link TimeSource}, so tests on virtual time never wait.
 *
 * <p>Thread-safe. Create with {@link #builder(CoordinationBackend)}, then {@link #start()}.
 */
public final class Cohort implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(Cohort.class);

  private final CoordinationBackend backend;
  private final SessionConfig sessionConfig;
  private final String namespace;
  private final RetryPolicy retryPolicy;
  private final TimeSource timeSource;
  private final DelayScheduler scheduler;
  private final RandomGenerator random;
  private final Executor listenerExecutor;
  private final Executor workExecutor;
  private final Duration connectTimeout;
  private final Duration writeJoinWindow;
  /** The longest {@link Builder#writeJoinWindow} accepted. */
  static final Duration MAX_WRITE_JOIN_WINDOW = Duration.ofMillis(10);
  /** Executors the client created itself and shuts down on close; null when injected. */
  private final ScheduledExecutorService ownedScheduler;
  private final ExecutorService ownedListenerPool;
  private final ExecutorService ownedWorkPool;
  /** The bound event listener, or null (the default): every publisher checks this field first. */
  private final CohortEvents events;
  private final java.util.Optional<CohortEvents> boundEvents;

  private final CopyOnWriteArrayList<ConnectionStateListener> listeners = new CopyOnWriteArrayList<>();
  private final Operations operations;
  private final AsyncOps asyncOps;
  private final BlockingOps blockingOps;

  private final ReentrantLock lock = new ReentrantLock();
  /** Signalled whenever {@link #state} or {@link #session} changes. */
  private final Condition changed = lock.newCondition();
  /** The current session; null before start. Written under lock, read freely. */
  private volatile Session session;
  /** Null before start. Written under lock, read freely. */
  private volatile ConnectionState state;
  private volatile boolean closed;
  /** Completed and replaced (under lock) whenever {@link #state} changes or the client closes. */
  private volatile CompletableFuture<Void> nextChange = new CompletableFuture<>();

  private Cohort(Builder b) {
    this.backend = b.backend;
    this.sessionConfig = SessionConfig.withTimeout(b.sessionTimeout);
    this.namespace = b.namespace;
    this.retryPolicy = b.retryPolicy;
    this.timeSource = b.timeSource;
    this.random = b.random;
    this.connectTimeout = b.connectTimeout;
    this.writeJoinWindow = b.writeJoinWindow != null ? b.writeJoinWindow : b.backend.writeJoinWindow();
    this.events = b.events;
    this.boundEvents = java.util.Optional.ofNullable(b.events);
    if (b.scheduler == null) {
      ownedScheduler = Executors.newSingleThreadScheduledExecutor(daemon("cohort-retry"));
      DelayScheduler underlying = DelayScheduler.of(ownedScheduler);
      scheduler = (delay, task) -> {
        Pending pending = new Pending(task);
        pendingTasks.add(pending);
        try {
          underlying.schedule(delay, pending);
        } catch (RejectedExecutionException closing) {
          pending.run(); // the client closed meanwhile: the task finds it closed and fails its operation
        }
      };
    } else {
      ownedScheduler = null;
      scheduler = b.scheduler;
    }
    // Two executors, never one for both: application listeners may block or run inline (a direct
    // executor), and recipe work handed to the work executor must still make progress then.
    if (b.listenerExecutor == null) {
      ownedListenerPool = Executors.newCachedThreadPool(daemon("cohort-listener"));
      this.listenerExecutor = new SerialExecutor(ownedListenerPool);
    } else {
      ownedListenerPool = null;
      this.listenerExecutor = new SerialExecutor(b.listenerExecutor);
    }
    if (b.workExecutor == null) {
      ownedWorkPool = Executors.newCachedThreadPool(daemon("cohort-work"));
      this.workExecutor = ownedWorkPool;
    } else {
      ownedWorkPool = null;
      this.workExecutor = b.workExecutor;
    }
    this.operations = new Operations(this);
    AsyncOps checked = new CheckedOps(this, operations);
    // Timed only when a listener is bound: with none, the operations are exactly as before.
    this.asyncOps = events == null ? checked : new EventOps(checked, events, timeSource);
    BlockingOps blocking = new Blocking(this, operations);
    this.blockingOps = events == null ? blocking : new EventOps.BlockingEvents(blocking, events, timeSource);
  }

  /** A builder for a client on {@code backend}. */
  public static Builder builder(CoordinationBackend backend) {
    return new Builder(backend);
  }

  /**
   * Opens the first session and waits for it, at most the connect timeout.
   *
   * @throws ConnectionLossException if no session could be opened in time
   * @throws IllegalStateException if already started or closed
   */
  public void start() throws InterruptedException {
    lock.lock();
    try {
      if (closed || state != null) {
        throw new IllegalStateException(closed ? "client is closed" : "client already started");
      }
    } finally {
      lock.unlock();
    }
    CompletableFuture<Session> opening = backend.openSession(sessionConfig);
    boolean opened;
    try {
      // On the client's clock like every other wait, so a test on virtual time decides when it ends.
      opened = Deadline.after(this, connectTimeout).await(opening);
    } catch (InterruptedException e) {
      opening.thenAcceptAsync(Session::close, workExecutor); // one that opens after all would stay open
      throw e;
    }
    if (!opened) {
      opening.thenAcceptAsync(Session::close, workExecutor);
      throw new ConnectionLossException(null, "no session within " + connectTimeout);
    }
    Session first;
    try {
      first = opening.get();
    } catch (ExecutionException e) {
      throw Operations.asUnchecked(e.getCause());
    }
    install(first, ConnectionState.CONNECTED);
  }

  /**
   * The event listener bound with {@link Builder#events}, if any. Recipes read it once, when they
   * are created, and publish through it only when it is present.
   */
  public java.util.Optional<CohortEvents> events() {
    return boundEvents;
  }

  /** The backend this client runs on. */
  public CoordinationBackend backend() {
    return backend;
  }

  /** The namespace all paths live under, such as {@code /app}, or {@code /} for none. */
  public String namespace() {
    return namespace.isEmpty() ? Paths.ROOT : namespace;
  }

  /**
   * Fails unless this client has been started and not closed: what every recipe checks before it
   * acts, so that a recipe used on a client that cannot serve it fails at once, with one exception
   * type and a message saying what to do, instead of hanging or never acting.
   *
   * @throws IllegalStateException if the client was never started or is closed
   */
  public void checkUsable() {
    if (closed) {
      throw new IllegalStateException("the Cohort client is closed: build and start a new client");
    }
    if (state == null) {
      throw new IllegalStateException("the Cohort client is not started: call client.start() first");
    }
  }

  /** The current connection state; null before {@link #start()}. Never blocks. */
  public ConnectionState connectionState() {
    return state;
  }

  /**
   * The current session: after a {@link ConnectionState#LOST} and until the new session is open,
   * the expired one, whose operations fail with {@link SessionExpiredException}.
   *
   * @throws IllegalStateException before {@link #start()}
   */
  public Session session() {
    Session s = session;
    if (s == null) {
      throw new IllegalStateException("client not started");
    }
    return s;
  }

  /** The id of the current session, or 0 before start. */
  public long sessionId() {
    Session s = session;
    return s == null ? 0 : s.id();
  }

  /**
   * Whether {@code sessionId} is the current session and that session has not ended: not expired,
   * not closed, and not abandoned by the client after a {@link ConnectionState#LOST} (a session cut
   * off for longer than its timeout is over for the client even before its close completes).
   */
  public boolean isLiveSession(long sessionId) {
    Session s = session;
    return s != null && s.id() == sessionId && !s.state().isTerminal() && state != ConnectionState.LOST;
  }

  /**
   * The asynchronous operations. On a client not started or closed, each throws {@link
   * IllegalStateException} at once (see {@link #checkUsable()}); only {@link
   * AsyncOps#deleteIfOwned} answers false on a closed client, since what it would delete went with
   * the closed session.
   */
  public AsyncOps async() {
    return asyncOps;
  }

  /** The blocking operations; on a client not started or closed, as {@link #async()}. */
  public BlockingOps blocking() {
    return blockingOps;
  }

  /** Adds a listener for connection-state transitions from now on. */
  public void addConnectionStateListener(ConnectionStateListener listener) {
    listeners.addIfAbsent(Objects.requireNonNull(listener, "listener"));
  }

  /** Removes a listener; a no-op if absent. */
  public void removeConnectionStateListener(ConnectionStateListener listener) {
    listeners.remove(listener);
  }

  /**
   * The executor that runs listeners and callbacks of this client's recipes, one at a time in
   * order. Recipes use it to call application code off backend threads, and only for that: it may
   * be a direct executor, and a listener may block, so recipe work never waits for it.
   */
  public Executor listenerExecutor() {
    return listenerExecutor;
  }

  /**
   * An executor for recipe background work that may block briefly (it is never a backend thread
   * and never runs application code). Unlike {@link #listenerExecutor()}, tasks may run
   * concurrently. Set with {@link Builder#workExecutor}; loops that run for a recipe's whole life
   * have threads of their own instead.
   */
  public Executor workExecutor() {
    return workExecutor;
  }

  /** The clock the client measures elapsed time with. */
  public TimeSource timeSource() {
    return timeSource;
  }

  /**
   * Waits until the client is connected (CONNECTED or RECONNECTED) on a live session, at most
   * {@code timeout} on the client's {@link TimeSource} (a virtual clock's jumps end the wait too).
   *
   * @return false if {@code timeout} passed first or the client was closed
   */
  public boolean awaitConnected(Duration timeout) throws InterruptedException {
    Deadline deadline = Deadline.after(this, timeout);
    while (true) {
      CompletableFuture<Void> change = nextChange; // read before the state: no change is missed
      if (closed) {
        return false;
      }
      ConnectionState now = state;
      if (now != null && now.isConnected()) {
        return true;
      }
      if (!deadline.await(change)) {
        return false;
      }
    }
  }

  /** Whether {@link #close()} was called. */
  public boolean isClosed() {
    return closed;
  }

  /**
   * Closes the current session (its ephemerals go, so every lock, lease and leadership of this
   * client ends) and the executors the client created. Listeners hear a last {@link
   * ConnectionState#LOST}, which also wakes recipe waiters (their blocked calls then fail with
   * {@link IllegalStateException}); no new session is opened. Idempotent.
   */
  @Override
  public void close() {
    Session s;
    boolean started;
    ConnectionState previous;
    lock.lock();
    try {
      if (closed) {
        return;
      }
      closed = true;
      s = session;
      started = state != null;
      previous = state;
      if (started) {
        state = ConnectionState.LOST;
      }
      signalChange();
    } finally {
      lock.unlock();
    }
    if (events != null && started && previous != ConnectionState.LOST) {
      events.connectionStateChanged(previous, ConnectionState.LOST);
    }
    if (s != null) {
      s.close();
    }
    if (started) {
      for (ConnectionStateListener l : listeners) {
        listenerExecutor.execute(() -> l.stateChanged(this, ConnectionState.LOST));
      }
    }
    if (ownedScheduler != null) {
      ownedScheduler.shutdownNow();
      // What still waits on the scheduler are retries and hand-overs of operations in flight (an
      // operation waiting for a suspended session to return, a backoff before the next attempt).
      // Dropped, their operations would never complete; run now, each finds the client closed and
      // fails its operation.
      for (Pending pending : pendingTasks) {
        try {
          pending.run();
        } catch (RuntimeException e) {
          log.debug("a task pending at close failed", e);
        }
      }
    }
    if (ownedListenerPool != null) {
      ownedListenerPool.shutdown();
    }
    if (ownedWorkPool != null) {
      ownedWorkPool.shutdown();
    }
  }

  /**
   * Tasks on the client's own scheduler that have not run yet, so that {@link #close()} can run
   * them rather than drop them (a scheduled executor that is shut down cancels its queue).
   */
  private final Set<Pending> pendingTasks = ConcurrentHashMap.newKeySet();

  /** A task on the client's own scheduler: runs once, from the scheduler or from close. */
  private final class Pending implements Runnable {
    private final Runnable task;
    private final AtomicBoolean started = new AtomicBoolean();

    Pending(Runnable task) {
      this.task = task;
    }

    @Override
    public void run() {
      if (started.compareAndSet(false, true)) {
        pendingTasks.remove(this);
        task.run();
      }
    }
  }

  /** Under lock. */
  private void signalChange() {
    changed.signalAll();
    CompletableFuture<Void> done = nextChange;
    nextChange = new CompletableFuture<>();
    done.complete(null);
  }

  @Override
  public String toString() {
    return "Cohort[" + backend.name() + namespace() + ", " + state + ", session " + Long.toHexString(sessionId()) + "]";
  }

  // ---- paths -------------------------------------------------------------------------------

  /** The backend path of a namespace-relative path. */
  String fullPath(String path) {
    Objects.requireNonNull(path, "path");
    if (!path.startsWith(Paths.ROOT)) {
      // checked on the relative path: glued to a namespace it could look valid
      throw new dev.cohort.spi.InvalidPathException(path, "a path must start with /");
    }
    if (namespace.isEmpty()) {
      return path;
    }
    return path.equals(Paths.ROOT) ? namespace : namespace + path;
  }

  /** The namespace-relative path of a backend path. */
  String relativePath(String fullPath) {
    if (namespace.isEmpty()) {
      return fullPath;
    }
    if (fullPath.equals(namespace)) {
      return Paths.ROOT;
    }
    return fullPath.startsWith(namespace) ? fullPath.substring(namespace.length()) : fullPath;
  }

  boolean hasNamespace() {
    return !namespace.isEmpty();
  }

  /** How long a lock's release may wait to join this client's next acquire; see {@link Builder#writeJoinWindow}. */
  public Duration writeJoinWindow() {
    return writeJoinWindow;
  }

  RetryPolicy retryPolicy() {
    return retryPolicy;
  }

  DelayScheduler scheduler() {
    return scheduler;
  }

  RandomGenerator random() {
    return random;
  }

  // ---- session lifecycle -------------------------------------------------------------------

  private void install(Session s, ConnectionState reported) {
    lock.lock();
    try {
      if (closed) {
        workExecutor.execute(s::close);
        return;
      }
      session = s;
    } finally {
      lock.unlock();
    }
    SessionListener listener = new SessionListener(s);
    s.addStateListener(listener);
    transition(s, reported);
    // The session may have changed state before the listener was registered.
    SessionState now = s.state();
    if (now != SessionState.CONNECTED) {
      listener.stateChanged(s, now);
    }
  }

  /**
   * Maps one session's transitions; ignores sessions the client has replaced or abandoned. While
   * the session is SUSPENDED it keeps a timer of the session timeout, on the client's clock: if the
   * timer fires first, the client abandons the session (see "Bounded time while cut off" above).
   */
  private final class SessionListener implements dev.cohort.spi.SessionStateListener {
    private final Session owner;
    private SessionState last = SessionState.CONNECTED;
    /** Whether this session is over for the client: nothing it reports is acted on any more. */
    private boolean ended;
    /** Completes when the session has been SUSPENDED for its timeout; null unless suspended. */
    private CompletableFuture<Void> cutOff;

    SessionListener(Session owner) {
      this.owner = owner;
    }

    @Override
    public synchronized void stateChanged(Session s, SessionState newState) {
      if (ended || newState == last || session != owner) {
        return;
      }
      last = newState;
      if (cutOff != null) {
        cutOff.cancel(false); // stops watching the clock
        cutOff = null;
      }
      switch (newState) {
        case SUSPENDED -> {
          transition(owner, ConnectionState.SUSPENDED);
          CompletableFuture<Void> timer = Deadline.after(timeSource, scheduler, owner.sessionTimeout()).expiry();
          cutOff = timer;
          timer.thenRun(() -> cutOffTooLong(timer));
        }
        case RECONNECTED -> transition(owner, ConnectionState.RECONNECTED);
        case EXPIRED, CLOSED -> {
          ended = true;
          if (!closed) {
            transition(owner, ConnectionState.LOST);
            reopen(1);
          }
        }
        case CONNECTED -> { }
      }
    }

    /** The session stayed SUSPENDED for its whole timeout: report it lost and replace it. */
    private void cutOffTooLong(CompletableFuture<Void> timer) {
      synchronized (this) {
        if (ended || timer != cutOff || session != owner || closed) {
          return; // the session moved on meanwhile
        }
        ended = true;
        cutOff = null;
      }
      log.info("{}: session 0x{} cut off for its timeout of {}; reporting it lost and opening a new one",
          Cohort.this, Long.toHexString(owner.id()), owner.sessionTimeout());
      transition(owner, ConnectionState.LOST);
      // Session.close() may block until the service answers (or the timeout passes): not here, on
      // the clock's or the scheduler's thread.
      try {
        workExecutor.execute(owner::close);
      } catch (java.util.concurrent.RejectedExecutionException closing) {
        owner.close();
      }
      reopen(1);
    }
  }

  private void transition(Session from, ConnectionState next) {
    ConnectionState previous;
    lock.lock();
    try {
      if (session != from || closed || state == next) {
        return;
      }
      previous = state;
      state = next;
      signalChange();
    } finally {
      lock.unlock();
    }
    if (events != null) {
      events.connectionStateChanged(previous, next);
    }
    log.debug("{}: {}", this, next);
    for (ConnectionStateListener l : listeners) {
      listenerExecutor.execute(() -> l.stateChanged(this, next));
    }
  }

  /** Opens a replacement session, retrying with capped backoff until it works or the client closes. */
  private void reopen(int attempt) {
    if (closed) {
      return;
    }
    backend.openSession(sessionConfig).whenComplete((s, error) -> {
      if (error == null) {
        install(s, ConnectionState.RECONNECTED);
        return;
      }
      if (closed) {
        return;
      }
      log.info("{}: could not open a new session (attempt {}): {}", this, attempt, error.toString());
      Duration delay = new ExponentialBackoff(Duration.ofMillis(10), Duration.ofSeconds(2), Integer.MAX_VALUE,
          Duration.ofDays(365_000)).delayBeforeRetry(attempt, Duration.ZERO, random).orElseThrow();
      scheduler.schedule(delay, () -> reopen(attempt + 1));
    });
  }

  /**
   * The asynchronous operations as the application and recipes see them: each checks first that
   * the client is usable, so that misuse fails at once instead of waiting on a session that never
   * was or is gone.
   */
  private static final class CheckedOps implements AsyncOps {
    private final Cohort client;
    private final AsyncOps ops;

    CheckedOps(Cohort client, AsyncOps ops) {
      this.client = client;
      this.ops = ops;
    }

    @Override
    public CompletableFuture<Created> create(String path, byte[] data, CreateMode mode) {
      client.checkUsable();
      return ops.create(path, data, mode);
    }

    @Override
    public CompletableFuture<Created> createWithParents(String path, byte[] data, CreateMode mode) {
      client.checkUsable();
      return ops.createWithParents(path, data, mode);
    }

    @Override
    public CompletableFuture<OwnedNode> createProtected(String parent, String name, byte[] data, CreateMode mode) {
      client.checkUsable();
      return ops.createProtected(parent, name, data, mode);
    }

    @Override
    public CompletableFuture<OwnedNode> createProtectedReplacing(OwnedNode released, String name, byte[] data,
        CreateMode mode) {
      client.checkUsable();
      return ops.createProtectedReplacing(released, name, data, mode);
    }

    @Override
    public CompletableFuture<Void> delete(String path, int version) {
      client.checkUsable();
      return ops.delete(path, version);
    }

    @Override
    public CompletableFuture<Boolean> deleteGuaranteed(String path, int version) {
      client.checkUsable();
      return ops.deleteGuaranteed(path, version);
    }

    @Override
    public CompletableFuture<Boolean> deleteIfOwned(OwnedNode node) {
      return deleteIfOwned(node, null);
    }

    @Override
    public CompletableFuture<Boolean> deleteIfOwned(OwnedNode node, byte[] finalData) {
      Objects.requireNonNull(node, "node");
      if (client.closed) {
        // The node went with the closed session: releasing after close is quiet, as after a loss.
        return CompletableFuture.completedFuture(false);
      }
      client.checkUsable();
      return ops.deleteIfOwned(node, finalData);
    }

    @Override
    public CompletableFuture<Boolean> deleteIfOwnedJoinable(OwnedNode node, byte[] finalData) {
      Objects.requireNonNull(node, "node");
      if (client.closed) {
        return CompletableFuture.completedFuture(false);
      }
      client.checkUsable();
      return ops.deleteIfOwnedJoinable(node, finalData);
    }

    @Override
    public CompletableFuture<Stat> exists(String path, Watcher watcher) {
      client.checkUsable();
      return ops.exists(path, watcher);
    }

    @Override
    public CompletableFuture<NodeData> getData(String path, Watcher watcher) {
      client.checkUsable();
      return ops.getData(path, watcher);
    }

    @Override
    public CompletableFuture<Stat> setData(String path, byte[] data, int version) {
      client.checkUsable();
      return ops.setData(path, data, version);
    }

    @Override
    public CompletableFuture<Children> getChildren(String path, Watcher watcher) {
      client.checkUsable();
      return ops.getChildren(path, watcher);
    }

    @Override
    public CompletableFuture<Void> sync(String path) {
      client.checkUsable();
      return ops.sync(path);
    }

    @Override
    public CompletableFuture<List<OpResult>> multi(List<Op> opList) {
      client.checkUsable();
      return ops.multi(opList);
    }

    @Override
    public CompletableFuture<Void> addWatch(String path, WatchMode mode, Watcher watcher) {
      client.checkUsable();
      return ops.addWatch(path, mode, watcher);
    }

    @Override
    public CompletableFuture<Void> removeWatches(String path, Watcher watcher) {
      if (client.closed) {
        // The closed session's watches went with it: cleanup that removes one after close (a waiter
        // giving up, a cache closing) is quiet, as a release after close is.
        return CompletableFuture.completedFuture(null);
      }
      client.checkUsable();
      return ops.removeWatches(path, watcher);
    }
  }

  private static java.util.concurrent.ThreadFactory daemon(String name) {
    return r -> {
      Thread t = new Thread(r, name);
      t.setDaemon(true);
      return t;
    };
  }

  /**
   * Configures a {@link Cohort}. Every setting has a default; the clock, scheduler, executor and
   * random source are there so that tests can run the client deterministically.
   */
  public static final class Builder {
    private final CoordinationBackend backend;
    private Duration sessionTimeout = SessionConfig.DEFAULT_SESSION_TIMEOUT;
    private String namespace = "";
    private RetryPolicy retryPolicy = RetryPolicy.defaultPolicy();
    private TimeSource timeSource = TimeSource.system();
    private DelayScheduler scheduler;
    private Executor listenerExecutor;
    private Executor workExecutor;
    private RandomGenerator random = new Random();
    private Duration connectTimeout = Duration.ofSeconds(15);
    private CohortEvents events;
    private Duration writeJoinWindow;

    private Builder(CoordinationBackend backend) {
      this.backend = Objects.requireNonNull(backend, "backend");
    }

    /** The session timeout to ask for; default 30 s. */
    public Builder sessionTimeout(Duration timeout) {
      Objects.requireNonNull(timeout, "timeout");
      if (timeout.isNegative() || timeout.isZero()) {
        throw new IllegalArgumentException("sessionTimeout must be positive: " + timeout);
      }
      this.sessionTimeout = timeout;
      return this;
    }

    /**
     * Puts every path under {@code namespace}, a valid absolute path such as {@code /app}; {@code /}
     * means none. The namespace node is created on demand.
     *
     * @throws dev.cohort.spi.InvalidPathException if it is not a valid path
     */
    public Builder namespace(String namespace) {
      Paths.validate(namespace);
      this.namespace = namespace.equals(Paths.ROOT) ? "" : namespace;
      return this;
    }

    /** How lost connections are retried; default {@link RetryPolicy#defaultPolicy()}. */
    public Builder retryPolicy(RetryPolicy policy) {
      this.retryPolicy = Objects.requireNonNull(policy, "policy");
      return this;
    }

    /** The clock for elapsed-time bounds; default the system clock. */
    public Builder timeSource(TimeSource timeSource) {
      this.timeSource = Objects.requireNonNull(timeSource, "timeSource");
      return this;
    }

    /** Where retry delays are waited out; default a daemon thread of the client. */
    public Builder scheduler(DelayScheduler scheduler) {
      this.scheduler = Objects.requireNonNull(scheduler, "scheduler");
      return this;
    }

    /**
     * Where the client's and its recipes' listeners (application code) run, one at a time in order;
     * default a daemon pool of the client. A direct executor ({@code Runnable::run}) is allowed:
     * recipe work never runs here (see {@link #workExecutor}), so no recipe waits for a listener;
     * but the listeners then run on whichever thread reports the change, a backend thread
     * included, and must return quickly.
     */
    public Builder listenerExecutor(Executor executor) {
      this.listenerExecutor = Objects.requireNonNull(executor, "executor");
      return this;
    }

    /**
     * Where recipes' short background work runs (refreshes, retries handed off backend threads);
     * default a daemon pool of the client. Tasks may block briefly and may run concurrently; they
     * never run application code.
     */
    public Builder workExecutor(Executor executor) {
      this.workExecutor = Objects.requireNonNull(executor, "executor");
      return this;
    }

    /**
     * The random source for retry jitter; pass a seeded one to reproduce runs. Protected-node ids
     * never come from it: they identify their creator, so they stay unique per client whatever the
     * seed, and clients built with the same seed never take each other's nodes for their own.
     */
    public Builder random(RandomGenerator random) {
      this.random = Objects.requireNonNull(random, "random");
      return this;
    }

    /** How long {@link Cohort#start()} waits for the first session; default 15 s. */
    public Builder connectTimeout(Duration timeout) {
      Objects.requireNonNull(timeout, "timeout");
      if (timeout.isNegative() || timeout.isZero()) {
        throw new IllegalArgumentException("connectTimeout must be positive: " + timeout);
      }
      this.connectTimeout = timeout;
      return this;
    }

    /**
     * Binds a listener to the events of the client and of every recipe created on it (metrics,
     * tracing); default none, which costs nothing. See {@link CohortEvents} for what it hears and
     * what it must not do.
     */
    public Builder events(CohortEvents events) {
      this.events = Objects.requireNonNull(events, "events");
      return this;
    }

    /**
     * How long a lock's release may be held back so that the same client's next acquire of that lock
     * carries it in one transaction ({@link AsyncOps#deleteIfOwnedJoinable}); {@link Duration#ZERO}
     * sends every release at once. Default: the backend's {@link
     * CoordinationBackend#writeJoinWindow()} (50 µs on ZooKeeper, 200 µs on etcd, zero on the in-memory backends).
     * The trade: a thread that releases and acquires again at once pays one synced write per cycle
     * instead of two, and the service syncs half as often under contention; a release that no
     * acquire follows reaches the waiters up to the window later.
     *
     * @throws IllegalArgumentException if negative or longer than 10 ms
     */
    public Builder writeJoinWindow(Duration window) {
      Objects.requireNonNull(window, "window");
      if (window.isNegative() || window.compareTo(MAX_WRITE_JOIN_WINDOW) > 0) {
        throw new IllegalArgumentException("writeJoinWindow must be between 0 and 10 ms: " + window);
      }
      this.writeJoinWindow = window;
      return this;
    }

    /** A new, unstarted client. */
    public Cohort build() {
      return new Cohort(this);
    }
  }
}
