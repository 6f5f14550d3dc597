package dev.cohort.recipes;

import dev.cohort.spi.ConnectionLossException;
import dev.cohort.spi.CoordinationBackend;
import dev.cohort.spi.Paths;
import dev.cohort.spi.Session;
import dev.cohort.spi.SessionConfig;
import dev.cohort.spi.SessionExpiredException;
import dev.cohort.spi.SessionState;
import dev.cohort.spi.TimeSource;
import java.time.Duration;
import java.util.Objects;
import java.util.Random;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
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
 * Recipes listen for these transitions and re-establish what they owned.
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
  /** Executors the client created itself and shuts down on close; null when injected. */
  private final ScheduledExecutorService ownedScheduler;
  private final ExecutorService ownedListenerPool;

  private final CopyOnWriteArrayList<ConnectionStateListener> listeners = new CopyOnWriteArrayList<>();
  private final Operations operations;
  private final BlockingOps blockingOps;

  private final ReentrantLock lock = new ReentrantLock();
  /** Signalled whenever {@link #state} or {@link #session} changes. */
  private final Condition changed = lock.newCondition();
  /** The current session; null before start. Written under lock, read freely. */
  private volatile Session session;
  /** Null before start. Written under lock, read freely. */
  private volatile ConnectionState state;
  private volatile boolean closed;

  private Cohort(Builder b) {
    this.backend = b.backend;
    this.sessionConfig = SessionConfig.withTimeout(b.sessionTimeout);
    this.namespace = b.namespace;
    this.retryPolicy = b.retryPolicy;
    this.timeSource = b.timeSource;
    this.random = b.random;
    this.connectTimeout = b.connectTimeout;
    if (b.scheduler == null) {
      ownedScheduler = Executors.newSingleThreadScheduledExecutor(daemon("cohort-retry"));
      scheduler = DelayScheduler.of(ownedScheduler);
    } else {
      ownedScheduler = null;
      scheduler = b.scheduler;
    }
    if (b.listenerExecutor == null) {
      ownedListenerPool = Executors.newCachedThreadPool(daemon("cohort-listener"));
      workExecutor = ownedListenerPool;
    } else {
      ownedListenerPool = null;
      workExecutor = b.listenerExecutor;
    }
    this.listenerExecutor = new SerialExecutor(workExecutor);
    this.operations = new Operations(this);
    this.blockingOps = new Blocking(this, operations);
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
    Session first;
    try {
      first = backend.openSession(sessionConfig).get(connectTimeout.toNanos(), TimeUnit.NANOSECONDS);
    } catch (ExecutionException e) {
      throw Operations.asUnchecked(e.getCause());
    } catch (TimeoutException e) {
      throw new ConnectionLossException(null, "no session within " + connectTimeout);
    }
    install(first, ConnectionState.CONNECTED);
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

  /** Whether {@code sessionId} is the current session and that session is alive and connected. */
  public boolean isLiveSession(long sessionId) {
    Session s = session;
    return s != null && s.id() == sessionId && !s.state().isTerminal();
  }

  /** The asynchronous operations. */
  public AsyncOps async() {
    return operations;
  }

  /** The blocking operations. */
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
   * order. Recipes use it to call application code off backend threads.
   */
  public Executor listenerExecutor() {
    return listenerExecutor;
  }

  /**
   * An executor for recipe background work that may block briefly (it is never a backend thread).
   * Unlike {@link #listenerExecutor()}, tasks may run concurrently.
   */
  public Executor workExecutor() {
    return workExecutor;
  }

  /** The clock the client measures elapsed time with. */
  public TimeSource timeSource() {
    return timeSource;
  }

  /**
   * Waits until the client is connected (CONNECTED or RECONNECTED) on a live session.
   *
   * @return false if {@code timeout} passed first or the client was closed
   */
  public boolean awaitConnected(Duration timeout) throws InterruptedException {
    long remaining = timeout.toNanos();
    lock.lock();
    try {
      while (!closed && (state == null || !state.isConnected())) {
        if (remaining <= 0) {
          return false;
        }
        remaining = changed.awaitNanos(remaining);
      }
      return !closed;
    } finally {
      lock.unlock();
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
    lock.lock();
    try {
      if (closed) {
        return;
      }
      closed = true;
      s = session;
      started = state != null;
      if (started) {
        state = ConnectionState.LOST;
      }
      changed.signalAll();
    } finally {
      lock.unlock();
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
    }
    if (ownedListenerPool != null) {
      ownedListenerPool.shutdown();
    }
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

  /** Maps one session's transitions; ignores sessions the client has replaced. */
  private final class SessionListener implements dev.cohort.spi.SessionStateListener {
    private final Session owner;
    private SessionState last = SessionState.CONNECTED;

    SessionListener(Session owner) {
      this.owner = owner;
    }

    @Override
    public synchronized void stateChanged(Session s, SessionState newState) {
      if (newState == last || session != owner) {
        return;
      }
      last = newState;
      switch (newState) {
        case SUSPENDED -> transition(owner, ConnectionState.SUSPENDED);
        case RECONNECTED -> transition(owner, ConnectionState.RECONNECTED);
        case EXPIRED, CLOSED -> {
          if (!closed) {
            transition(owner, ConnectionState.LOST);
            reopen(1);
          }
        }
        case CONNECTED -> { }
      }
    }
  }

  private void transition(Session from, ConnectionState next) {
    lock.lock();
    try {
      if (session != from || closed || state == next) {
        return;
      }
      state = next;
      changed.signalAll();
    } finally {
      lock.unlock();
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
    private RandomGenerator random = new Random();
    private Duration connectTimeout = Duration.ofSeconds(15);

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

    /** Where listeners and recipe background work run; default a daemon pool of the client. */
    public Builder listenerExecutor(Executor executor) {
      this.listenerExecutor = Objects.requireNonNull(executor, "executor");
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

    /** A new, unstarted client. */
    public Cohort build() {
      return new Cohort(this);
    }
  }
}
