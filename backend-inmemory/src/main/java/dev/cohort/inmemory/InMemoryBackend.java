package dev.cohort.inmemory;

import dev.cohort.inmemory.tree.ApplyResult;
import dev.cohort.inmemory.tree.DataTree;
import dev.cohort.inmemory.tree.Outcome;
import dev.cohort.inmemory.tree.Txn;
import dev.cohort.inmemory.tree.TxnOp;
import dev.cohort.inmemory.tree.WatchRegistry;
import dev.cohort.spi.Capability;
import dev.cohort.spi.ConnectionLossException;
import dev.cohort.spi.CoordinationBackend;
import dev.cohort.spi.CoordinationException;
import dev.cohort.spi.ErrorCode;
import dev.cohort.spi.Session;
import dev.cohort.spi.SessionClosedException;
import dev.cohort.spi.SessionConfig;
import dev.cohort.spi.SessionExpiredException;
import dev.cohort.spi.SessionState;
import dev.cohort.spi.TimeSource;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.ReentrantLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A coordination backend that keeps one znode tree in this JVM: the reference implementation of the
 * SPI, the backend of unit tests (with {@link ManualTimeSource} and {@link #faults()}), and a fast
 * backend for single-process applications.
 *
 * <h2>How it works</h2>
 * Every operation runs under one lock: it is checked against the session's state, applied to the
 * {@link DataTree} (writes as {@link Txn}s with the next zxid), and, still under the lock, every
 * watch event it fired is enqueued on the queue of the watching session and then its completion on
 * the session's own queue. The lock gives linearizability; the enqueue order gives FIFO
 * completions per session and "watch event before the data that shows the change" across sessions.
 * After the lock is released the queues are drained: by default on the calling thread if no other
 * thread is draining that session (a synchronous {@code getData(...).join()} costs no thread
 * handoff), or on the {@link Builder#callbackExecutor(Executor) callback executor}. Callbacks never
 * run under the lock, so a callback may issue further operations; those only enqueue and are
 * delivered by the drain loop already running.
 *
 * <p><b>Callbacks must not block</b> (futures' dependent stages, watchers, state listeners): they run
 * one at a time per session, possibly on the thread of whoever caused them, and a callback that waits
 * for a later completion of its own session waits forever.
 *
 * <h2>Sessions and time</h2>
 * The granted session timeout is the requested one clamped into [{@link Builder#minSessionTimeout
 * min}, {@link Builder#maxSessionTimeout max}] (4 s and 40 s by default: ZooKeeper's 2 and 20 ticks
 * of 2 s). A connected session never expires on its own (its client is always heard from); a
 * disconnected one ({@link InMemoryFaults#disconnect}) is expired by the service once its timeout has
 * passed on the {@link TimeSource}: checked by a daemon timer thread every {@link
 * Builder#housekeepingInterval housekeeping interval}, or synchronously by {@link
 * ManualTimeSource#advance}. The same housekeeping deletes due container and TTL nodes, as a sweep
 * transaction. Expiry deletes the session's ephemerals and fires the other sessions' watches; the
 * session's own client sees EXPIRED when it reconnects.
 *
 * <p>Thread-safe. Closing the backend closes every session (CLOSED, ephemerals deleted); afterwards
 * {@link #openSession} and every operation fail with {@link SessionClosedException}.
 */
public final class InMemoryBackend implements CoordinationBackend {
  private static final Logger LOG = LoggerFactory.getLogger(InMemoryBackend.class);

  /** The default lower bound of granted session timeouts (ZooKeeper: 2 × a 2 s tick). */
  public static final Duration DEFAULT_MIN_SESSION_TIMEOUT = Duration.ofSeconds(4);
  /** The default upper bound of granted session timeouts (ZooKeeper: 20 × a 2 s tick). */
  public static final Duration DEFAULT_MAX_SESSION_TIMEOUT = Duration.ofSeconds(40);
  /** The default period of the expiry and container/TTL checks under a non-manual time source. */
  public static final Duration DEFAULT_HOUSEKEEPING_INTERVAL = Duration.ofMillis(100);

  /** Runs under the lock; reports a failure by throwing the CoordinationException to complete with. */
  interface Call<T> {
    T run(boolean replyWillArrive);
  }

  final ReentrantLock lock = new ReentrantLock();
  /** Guarded by lock. */
  final DataTree tree;
  /** Guarded by lock. */
  final WatchRegistry watches = new WatchRegistry();
  /** Sessions whose client is not yet told of an end (CLOSED/EXPIRED), by id. Guarded by lock. */
  private final Map<Long, InMemorySession> sessions = new HashMap<>();
  /** Sessions cut off by a fault, in disconnect order. Guarded by lock. */
  private final Set<InMemorySession> disconnected = new LinkedHashSet<>();
  /** Scratch list of fired watches, emptied before the lock is released. Guarded by lock. */
  private final List<WatchRegistry.Fired> fired = new ArrayList<>();
  /** Guarded by lock. */
  private long nextSessionId = 1;
  /** Guarded by lock. */
  private boolean closed;
  /** Created on first need under a non-manual time source. Guarded by lock. */
  private ScheduledExecutorService timer;

  private final TimeSource time;
  private final Set<Capability> capabilities;
  private final Duration minSessionTimeout;
  private final Duration maxSessionTimeout;
  private final Duration housekeepingInterval;
  private final Executor callbackExecutor;
  private final LongAdder watchEventsDelivered = new LongAdder();
  private final InMemoryFaults faults = new InMemoryFaults(this);
  private final Runnable onTimeAdvanced = this::housekeeping;

  private InMemoryBackend(Builder b) {
    this.time = b.timeSource;
    this.tree = new DataTree(b.maxDataBytes);
    this.capabilities = Collections.unmodifiableSet(EnumSet.copyOf(b.capabilities));
    this.minSessionTimeout = b.minSessionTimeout;
    this.maxSessionTimeout = b.maxSessionTimeout;
    this.housekeepingInterval = b.housekeepingInterval;
    this.callbackExecutor = b.callbackExecutor;
    if (time instanceof ManualTimeSource manual) {
      manual.addListener(onTimeAdvanced);
    }
  }

  /** A backend on the system clock with every default and every capability. */
  public static InMemoryBackend create() {
    return builder().build();
  }

  /** A builder with the defaults. */
  public static Builder builder() {
    return new Builder();
  }

  /** The fault controls of this backend's sessions, for tests. */
  public InMemoryFaults faults() {
    return faults;
  }

  /**
   * The watches registered on the service now, over every session (one per session, watcher, path
   * and kind): what watch-leak tests count.
   */
  public int registeredWatches() {
    lock.lock();
    try {
      return watches.size();
    } finally {
      lock.unlock();
    }
  }

  /** The total number of watch events delivered to all sessions so far. */
  public long watchEventsDelivered() {
    return watchEventsDelivered.sum();
  }

  @Override
  public Set<Capability> capabilities() {
    return capabilities;
  }

  @Override
  public String name() {
    return "in-memory";
  }

  @Override
  public CompletableFuture<Session> openSession(SessionConfig config) {
    Objects.requireNonNull(config, "config");
    Duration granted = clamp(config.sessionTimeout());
    InMemorySession session;
    lock.lock();
    try {
      if (closed) {
        return CompletableFuture.failedFuture(new SessionClosedException(null, "the backend is closed"));
      }
      long id = nextSessionId++;
      applyTxn(id, new TxnOp.CreateSession(granted.toMillis()));
      session = new InMemorySession(this, id, granted, new SerialQueue(callbackExecutor));
      sessions.put(id, session);
    } finally {
      lock.unlock();
    }
    return CompletableFuture.completedFuture(session);
  }

  private Duration clamp(Duration requested) {
    if (requested.compareTo(minSessionTimeout) < 0) {
      return minSessionTimeout;
    }
    return requested.compareTo(maxSessionTimeout) > 0 ? maxSessionTimeout : requested;
  }

  @Override
  public void close() {
    List<InMemorySession> toDrain;
    ScheduledExecutorService stopTimer;
    lock.lock();
    try {
      if (closed) {
        return;
      }
      closed = true;
      toDrain = new ArrayList<>(sessions.values());
      for (InMemorySession s : toDrain) {
        endOnService(s);
        endOnClient(s, SessionState.CLOSED);
      }
      toDrain.addAll(dispatchFired());
      stopTimer = timer;
      timer = null;
    } finally {
      lock.unlock();
    }
    drainAll(toDrain);
    if (stopTimer != null) {
      stopTimer.shutdownNow();
    }
    if (time instanceof ManualTimeSource manual) {
      manual.removeListener(onTimeAdvanced);
    }
  }

  // ---------------------------------------------------------------------------------------------
  // The operation pipeline.

  /**
   * Runs {@code call} for {@code session} under the lock, enqueues its completion and the watch
   * events it fired, then drains the queues it touched. {@code path} names the failure if the
   * session refuses the operation.
   */
  <T> CompletableFuture<T> execute(InMemorySession session, String path, Call<T> call) {
    return execute(session, path, null, call);
  }

  /**
   * As {@link #execute(InMemorySession, String, Call)}, but {@code argumentError}, if not null, is
   * the answer even before the session's state: what ZooKeeper's client refuses before it looks at
   * its connection (see {@link dev.cohort.inmemory.tree.RequestChecks}). It still completes in
   * issue order.
   */
  <T> CompletableFuture<T> execute(InMemorySession session, String path, CoordinationException argumentError,
      Call<T> call) {
    CompletableFuture<T> future = new CompletableFuture<>();
    List<InMemorySession> others;
    lock.lock();
    try {
      CoordinationException refused = argumentError != null ? argumentError : refusal(session, path);
      if (refused != null) {
        session.enqueueCompletion(future, null, refused);
        others = List.of();
      } else {
        boolean replyLost = session.loseNextReply;
        session.loseNextReply = false;
        T value = null;
        CoordinationException error = null;
        try {
          value = call.run(!replyLost);
        } catch (CoordinationException e) {
          error = e;
        } catch (RuntimeException e) {
          // A bug, not a property of the request: fail this operation visibly, keep the backend up.
          LOG.error("operation on {} failed unexpectedly", session, e);
          error = CoordinationException.of(ErrorCode.BACKEND_FAILURE, path, "internal error", -1, e);
        }
        session.lastZxidSeen = tree.lastZxid();
        // Events first: if this write fired a watch of this very session, the event must reach
        // it before the completion whose result shows the change (ZooKeeper sends the
        // notification before the reply on the same connection).
        others = dispatchFired();
        if (replyLost) {
          loseReply(session, future, path);
        } else {
          session.enqueueCompletion(future, value, error);
        }
      }
    } finally {
      lock.unlock();
    }
    session.drain();
    drainAll(others);
    return future;
  }

  /** Why the session cannot run an operation now, or null if it can. Under the lock. */
  private CoordinationException refusal(InMemorySession session, String path) {
    SessionState state = session.state;
    if (state == SessionState.CLOSED || closed) {
      return new SessionClosedException(path, closed ? "the backend is closed" : "the session is closed");
    }
    if (state == SessionState.EXPIRED) {
      return new SessionExpiredException(path, "session 0x" + Long.toHexString(session.id()) + " expired");
    }
    if (!session.connected) {
      return new ConnectionLossException(path, "the session is disconnected");
    }
    return null;
  }

  /**
   * The operation was applied but its reply is lost with the connection: the future and every
   * completion still in flight fail with ConnectionLoss, and the session goes SUSPENDED, then, as
   * its client reconnects at once, RECONNECTED. Under the lock.
   */
  private void loseReply(InMemorySession session, CompletableFuture<?> future, String path) {
    session.epoch++;
    session.enqueueCompletion(future, null, new ConnectionLossException(path, "the reply was lost"));
    transition(session, SessionState.SUSPENDED);
    transition(session, SessionState.RECONNECTED);
  }

  /**
   * Applies a write for {@code session}, fires its watches into the scratch list. Under the lock.
   * The session has refused every invalid path of {@code op} already ({@link
   * dev.cohort.inmemory.tree.RequestChecks}, before its state is looked at, as ZooKeeper's client
   * does), so the tree does not check them again.
   */
  Outcome applyWrite(InMemorySession session, TxnOp op) {
    ApplyResult result = applyTxn(session.id(), op, true);
    if (result.outcome().isSuccess() && timer == null && tree.hasSweepableKinds()) {
      ensureTimer();
    }
    return result.outcome();
  }

  private ApplyResult applyTxn(long sessionId, TxnOp op) {
    return applyTxn(sessionId, op, false);
  }

  private ApplyResult applyTxn(long sessionId, TxnOp op, boolean pathsChecked) {
    ApplyResult result = tree.apply(new Txn(tree.lastZxid() + 1, time.epochMillis(), sessionId, op), pathsChecked);
    watches.triggerAll(result.changes(), fired);
    return result;
  }

  /**
   * Moves the fired watches onto their sessions' queues; returns the sessions to drain. Under the
   * lock.
   */
  private List<InMemorySession> dispatchFired() {
    if (fired.isEmpty()) {
      return List.of();
    }
    List<InMemorySession> touched = new ArrayList<>();
    for (WatchRegistry.Fired f : fired) {
      InMemorySession target = sessions.get(f.sessionId());
      if (target != null) {
        target.enqueueEvent(f.watcher(), f.event());
        if (!touched.contains(target)) {
          touched.add(target);
        }
      }
    }
    fired.clear();
    return touched;
  }

  private static void drainAll(List<InMemorySession> toDrain) {
    for (InMemorySession s : toDrain) {
      s.drain();
    }
  }

  void countDelivered() {
    watchEventsDelivered.increment();
  }

  /** Records a state change and queues its notification. Under the lock. */
  private static void transition(InMemorySession session, SessionState state) {
    session.state = state;
    session.enqueueStateChange(state);
  }

  // ---------------------------------------------------------------------------------------------
  // Session lifecycle and faults (all take the lock themselves).

  void closeSession(InMemorySession session) {
    List<InMemorySession> toDrain;
    lock.lock();
    try {
      if (session.state.isTerminal()) {
        return;
      }
      // As on ZooKeeper, a session that closes itself still receives the events its own close
      // fires (the deletion of its ephemerals it watched): the server sends them before it
      // answers the close. Its watches go only after that; then CLOSED.
      if (tree.hasSession(session.id())) {
        applyTxn(session.id(), new TxnOp.CloseSession());
      }
      toDrain = new ArrayList<>(dispatchFired());
      endOnService(session);
      endOnClient(session, SessionState.CLOSED);
      toDrain.addAll(dispatchFired());
    } finally {
      lock.unlock();
    }
    session.drain();
    drainAll(toDrain);
  }

  /** The service forgets the session: watches dropped, ephemerals deleted (watches fire). Under the lock. */
  private void endOnService(InMemorySession session) {
    watches.removeSession(session.id());
    session.held = null;
    disconnected.remove(session);
    if (tree.hasSession(session.id())) {
      applyTxn(session.id(), new TxnOp.CloseSession());
    }
  }

  /** The client learns its session ended. Under the lock. */
  private void endOnClient(InMemorySession session, SessionState terminal) {
    sessions.remove(session.id());
    session.connected = false;
    transition(session, terminal);
  }

  void disconnect(InMemorySession session) {
    lock.lock();
    try {
      if (session.state.isTerminal() || !session.connected) {
        return;
      }
      session.connected = false;
      session.epoch++;
      session.disconnectedAtNanos = time.nanoTime();
      session.held = watches.detachSession(session.id());
      disconnected.add(session);
      transition(session, SessionState.SUSPENDED);
      ensureTimer();
    } finally {
      lock.unlock();
    }
    session.drain();
  }

  void reconnect(InMemorySession session) {
    List<InMemorySession> toDrain;
    lock.lock();
    try {
      if (session.state.isTerminal() || session.connected) {
        return;
      }
      if (!session.expiredOnService && isOverdue(session, time.nanoTime())) {
        expireOnService(session);
      }
      disconnected.remove(session);
      if (session.expiredOnService) {
        endOnClient(session, SessionState.EXPIRED);
      } else {
        session.connected = true;
        transition(session, SessionState.RECONNECTED);
        watches.reattach(session.id(), session.held, tree, session.lastZxidSeen, fired);
        session.held = null;
      }
      toDrain = new ArrayList<>(dispatchFired());
    } finally {
      lock.unlock();
    }
    session.drain();
    drainAll(toDrain);
  }

  void expire(InMemorySession session) {
    List<InMemorySession> toDrain;
    lock.lock();
    try {
      if (session.state.isTerminal() || session.expiredOnService) {
        return;
      }
      boolean connected = session.connected;
      expireOnService(session);
      if (connected) {
        endOnClient(session, SessionState.EXPIRED);
      }
      toDrain = new ArrayList<>(dispatchFired());
    } finally {
      lock.unlock();
    }
    session.drain();
    drainAll(toDrain);
  }

  /** The service expires the session; a disconnected client learns it on reconnect. Under the lock. */
  private void expireOnService(InMemorySession session) {
    endOnService(session);
    session.expiredOnService = true;
    LOG.debug("session 0x{} expired", Long.toHexString(session.id()));
  }

  void loseNextReply(InMemorySession session) {
    lock.lock();
    try {
      session.loseNextReply = true;
    } finally {
      lock.unlock();
    }
  }

  private boolean isOverdue(InMemorySession session, long nowNanos) {
    return nowNanos - session.disconnectedAtNanos >= session.sessionTimeout().toNanos();
  }

  // ---------------------------------------------------------------------------------------------
  // Housekeeping: expiry of disconnected sessions and container/TTL sweeps.

  /** Expires overdue disconnected sessions and sweeps due containers and TTL nodes. */
  void housekeeping() {
    List<InMemorySession> toDrain;
    lock.lock();
    try {
      if (closed) {
        return;
      }
      long now = time.nanoTime();
      for (InMemorySession s : new ArrayList<>(disconnected)) {
        if (!s.expiredOnService && isOverdue(s, now)) {
          expireOnService(s);
        }
      }
      if (tree.hasSweepableKinds()) {
        long nowMillis = time.epochMillis();
        List<String> due = tree.sweepCandidates(nowMillis);
        if (!due.isEmpty()) {
          applyTxn(0, new TxnOp.Sweep(due));
        }
      }
      toDrain = dispatchFired();
    } finally {
      lock.unlock();
    }
    drainAll(toDrain);
  }

  /** Starts the timer that drives housekeeping, unless time is manual. Under the lock. */
  private void ensureTimer() {
    if (timer != null || closed || time instanceof ManualTimeSource) {
      return;
    }
    timer = Executors.newSingleThreadScheduledExecutor(r -> {
      Thread t = new Thread(r, "cohort-inmemory-housekeeping");
      t.setDaemon(true);
      return t;
    });
    long period = housekeepingInterval.toNanos();
    timer.scheduleWithFixedDelay(this::housekeepingSafely, period, period, TimeUnit.NANOSECONDS);
  }

  private void housekeepingSafely() {
    try {
      housekeeping();
    } catch (RuntimeException e) {
      LOG.error("housekeeping failed; it will run again", e);
    }
  }

  /**
   * Configures an {@link InMemoryBackend}. Defaults: {@link TimeSource#system()}, {@link CoordinationBackend#DEFAULT_MAX_DATA_BYTES} data limit,
   * session timeouts clamped into [4 s, 40 s], every capability, callbacks on the calling thread,
   * housekeeping every 100 ms (non-manual time only).
   */
  public static final class Builder {
    private TimeSource timeSource = TimeSource.system();
    private int maxDataBytes = DEFAULT_MAX_DATA_BYTES;
    private Duration minSessionTimeout = DEFAULT_MIN_SESSION_TIMEOUT;
    private Duration maxSessionTimeout = DEFAULT_MAX_SESSION_TIMEOUT;
    private Duration housekeepingInterval = DEFAULT_HOUSEKEEPING_INTERVAL;
    private final Set<Capability> capabilities = EnumSet.allOf(Capability.class);
    private Executor callbackExecutor;

    private Builder() {}

    /** Where time comes from; a {@link ManualTimeSource} gives virtual time. */
    public Builder timeSource(TimeSource timeSource) {
      this.timeSource = Objects.requireNonNull(timeSource, "timeSource");
      return this;
    }

    /**
     * The largest data a node may hold, and all the ops of one multi together, in bytes (default
     * {@link CoordinationBackend#DEFAULT_MAX_DATA_BYTES}, the figure every backend shares); larger
     * writes fail with DataTooLarge.
     */
    public Builder maxDataBytes(int maxDataBytes) {
      if (maxDataBytes < 0) {
        throw new IllegalArgumentException("maxDataBytes must not be negative: " + maxDataBytes);
      }
      this.maxDataBytes = maxDataBytes;
      return this;
    }

    /** The smallest session timeout granted (default 4 s). */
    public Builder minSessionTimeout(Duration minSessionTimeout) {
      this.minSessionTimeout = positive(minSessionTimeout, "minSessionTimeout");
      return this;
    }

    /** The largest session timeout granted (default 40 s). */
    public Builder maxSessionTimeout(Duration maxSessionTimeout) {
      this.maxSessionTimeout = positive(maxSessionTimeout, "maxSessionTimeout");
      return this;
    }

    /** How often the timer checks expiries and sweeps under a non-manual time source (default 100 ms). */
    public Builder housekeepingInterval(Duration housekeepingInterval) {
      this.housekeepingInterval = positive(housekeepingInterval, "housekeepingInterval");
      return this;
    }

    /** Leaves out an optional feature, so code can be tested against a backend without it. */
    public Builder withoutCapability(Capability capability) {
      capabilities.remove(Objects.requireNonNull(capability, "capability"));
      return this;
    }

    /**
     * Runs completions, watch events and state changes on {@code executor} (still one at a time and
     * in order per session) instead of on the thread that caused them.
     */
    public Builder callbackExecutor(Executor executor) {
      this.callbackExecutor = Objects.requireNonNull(executor, "executor");
      return this;
    }

    /**
     * Builds the backend.
     *
     * @throws IllegalArgumentException if the minimum session timeout exceeds the maximum
     */
    public InMemoryBackend build() {
      if (minSessionTimeout.compareTo(maxSessionTimeout) > 0) {
        throw new IllegalArgumentException(
            "minSessionTimeout " + minSessionTimeout + " exceeds maxSessionTimeout " + maxSessionTimeout);
      }
      return new InMemoryBackend(this);
    }

    private static Duration positive(Duration d, String name) {
      Objects.requireNonNull(d, name);
      if (d.isNegative() || d.isZero()) {
        throw new IllegalArgumentException(name + " must be positive: " + d);
      }
      return d;
    }
  }
}
