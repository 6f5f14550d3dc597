package dev.cohort.recipes.leader;

import dev.cohort.recipes.Cohort;
import dev.cohort.recipes.FencingToken;
import dev.cohort.recipes.OwnershipListener;
import dev.cohort.recipes.locks.DistributedLock;
import java.util.Objects;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.locks.ReentrantLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Leader election that runs a callback while leading. Participants queue on a {@link
 * DistributedLock} at the selector's path (herd-free, fenced); the holder's {@link
 * LeaderSelectorListener#takeLeadership} runs on the selector's own thread, and leadership is given
 * up when it returns. With auto-requeue the participant then queues again at the back of the line.
 *
 * <p>When leadership may be lost (SUSPENDED, unless {@link SuspendPolicy#KEEP_UNTIL_LOST}) or is
 * lost (LOST), the callback's thread is interrupted; a callback that ignores the interrupt keeps
 * running, but {@link #hasLeadership()} is already false and its fencing token is already stale
 * for any resource that has seen the next leader's.
 */
public final class LeaderSelector implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(LeaderSelector.class);

  private final Cohort client;
  private final String id;
  private final LeaderSelectorListener listener;
  private final SuspendPolicy suspendPolicy;
  private final ThreadFactory threadFactory;
  private final DistributedLock lock;
  /** The client's event listener, or null. */
  private final dev.cohort.recipes.CohortEvents events;

  private final ReentrantLock state = new ReentrantLock();
  /** Guarded by state. */
  private Thread worker;
  /** Guarded by state. */
  private boolean started;
  /** Guarded by state. */
  private boolean closed;
  /** Guarded by state: whether {@link #start()} was ever called. */
  private boolean everStarted;
  /** Guarded by state: a one-off request to queue again after the current run. */
  private boolean requeueRequested;
  /** Guarded by state. */
  private boolean autoRequeue;
  /** Guarded by state: the term being run, or null. */
  private LeadershipTerm running;
  /** Guarded by state: the path of the node behind {@link #running}. */
  private String runningNodePath;

  private LeaderSelector(Builder b) {
    this.client = b.client;
    this.id = b.id;
    this.listener = b.listener;
    this.suspendPolicy = b.suspendPolicy;
    this.threadFactory = b.threadFactory;
    this.autoRequeue = b.autoRequeue;
    this.lock = new DistributedLock(client, b.path);
    this.events = client.events().orElse(null);
    this.lock.addOwnershipListener(this::ownershipChanged);
  }

  /** A builder for a selector at {@code path} running {@code listener}. */
  public static Builder builder(Cohort client, String path, LeaderSelectorListener listener) {
    return new Builder(client, path, listener);
  }

  /** Joins the election once (and again after each run if auto-requeue is on). */
  public void start() {
    client.checkUsable();
    state.lock();
    try {
      if (started || closed) {
        throw new IllegalStateException(closed ? "selector is closed" : "selector already started");
      }
      started = true;
      everStarted = true;
      worker = threadFactory.newThread(this::runLoop);
      worker.start();
    } finally {
      state.unlock();
    }
  }

  /**
   * Queues once more: after the current run if one is under way (even without auto-requeue), or
   * at once if the selector was started and has finished its runs. A no-op once closed.
   *
   * @throws IllegalStateException if the selector was never started
   */
  public void requeue() {
    client.checkUsable();
    state.lock();
    try {
      if (closed) {
        return;
      }
      if (!everStarted) {
        throw new IllegalStateException("selector not started");
      }
      if (worker == null) {
        started = true;
        worker = threadFactory.newThread(this::runLoop);
        worker.start();
      } else {
        requeueRequested = true;
      }
    } finally {
      state.unlock();
    }
  }

  /** Turns automatic requeueing on or off. */
  public void autoRequeue(boolean on) {
    state.lock();
    try {
      autoRequeue = on;
    } finally {
      state.unlock();
    }
  }

  /**
   * The path (relative to the client's namespace) of the node behind the leadership the callback
   * runs with now, if it runs: what a test needs to inject a fault on exactly this leader.
   */
  public java.util.Optional<String> ownedNodePath() {
    state.lock();
    try {
      return java.util.Optional.ofNullable(running == null ? null : runningNodePath);
    } finally {
      state.unlock();
    }
  }

  /**
   * A check for a {@link dev.cohort.recipes.AsyncOps#multi multi} that passes only while the
   * leadership the callback runs with lasts: its node exists (see {@link
   * dev.cohort.recipes.OwnedNode#ownershipCheck()}). A multi sent with it once the callback
   * returned or the session ended fails, with nothing written.
   *
   * @throws IllegalStateException if the callback is not running with leadership now
   */
  public dev.cohort.spi.Op ownershipCheck() {
    state.lock();
    try {
      if (running == null || runningNodePath == null) {
        throw new IllegalStateException(this + " does not lead now");
      }
      return dev.cohort.spi.Op.check(runningNodePath, -1);
    } finally {
      state.unlock();
    }
  }

  /** Whether the callback is running with leadership right now. */
  public boolean hasLeadership() {
    state.lock();
    try {
      return running != null && client.isLiveSession(running.sessionId()) && connectedEnough();
    } finally {
      state.unlock();
    }
  }

  private boolean connectedEnough() {
    var s = client.connectionState();
    return s != null && (s.isConnected()
        || (s == dev.cohort.recipes.ConnectionState.SUSPENDED && suspendPolicy == SuspendPolicy.KEEP_UNTIL_LOST));
  }

  /** Stops: interrupts a running callback, leaves the line, and deletes our node. Idempotent. */
  @Override
  public void close() {
    Thread t;
    state.lock();
    try {
      if (closed) {
        return;
      }
      closed = true;
      t = worker;
    } finally {
      state.unlock();
    }
    if (t != null) {
      t.interrupt();
    }
  }

  private void runLoop() {
    while (true) {
      state.lock();
      try {
        if (closed) {
          return;
        }
        requeueRequested = false;
      } finally {
        state.unlock();
      }
      try {
        runOnce();
      } catch (InterruptedException e) {
        // closed, or leadership lost while queued: the loop decides what next
      } catch (RuntimeException e) {
        log.warn("{}: leadership run failed", this, e);
      }
      state.lock();
      try {
        if (closed || !(autoRequeue || requeueRequested)) {
          if (!closed) {
            worker = null;
            started = false;
          }
          return;
        }
      } finally {
        state.unlock();
      }
      Thread.interrupted(); // an interrupt meant for the finished run must not end the next wait
    }
  }

  private void runOnce() throws InterruptedException {
    FencingToken token = lock.acquire();
    try {
      LeadershipTerm term = new LeadershipTerm(id, token, client.sessionId());
      String nodePath = lock.ownedNodePath().orElse(null);
      state.lock();
      try {
        if (closed) {
          return;
        }
        running = term;
        runningNodePath = nodePath;
      } finally {
        state.unlock();
      }
      runTerm(term);
    } finally {
      state.lock();
      try {
        running = null;
        runningNodePath = null;
      } finally {
        state.unlock();
      }
      lock.release();
    }
  }

  /** Runs the callback for one term, reported to the client's event listener if one is bound. */
  private void runTerm(LeadershipTerm term) throws InterruptedException {
    if (events == null) {
      listener.takeLeadership(term);
      return;
    }
    long start = client.timeSource().nanoTime();
    events.leadershipChanged(lock.path(), true, 0);
    try {
      listener.takeLeadership(term);
    } finally {
      events.leadershipChanged(lock.path(), false, client.timeSource().nanoTime() - start);
    }
  }

  private void ownershipChanged(OwnershipListener.Change change, FencingToken token) {
    boolean lost = change == OwnershipListener.Change.LOST
        || (change == OwnershipListener.Change.MAY_BE_LOST && suspendPolicy == SuspendPolicy.RELEASE_ON_SUSPEND);
    if (!lost) {
      return;
    }
    Thread t;
    state.lock();
    try {
      t = running != null && running.fencingToken().equals(token) ? worker : null;
    } finally {
      state.unlock();
    }
    if (t != null) {
      t.interrupt();
    }
  }

  @Override
  public String toString() {
    return "LeaderSelector[" + lock.path() + ", " + id + "]";
  }

  /** Configures a {@link LeaderSelector}. */
  public static final class Builder {
    private final Cohort client;
    private final String path;
    private final LeaderSelectorListener listener;
    private String id = "";
    private boolean autoRequeue;
    private SuspendPolicy suspendPolicy = SuspendPolicy.RELEASE_ON_SUSPEND;
    private ThreadFactory threadFactory = r -> {
      Thread t = new Thread(r, "cohort-leader-selector");
      t.setDaemon(true);
      return t;
    };

    private Builder(Cohort client, String path, LeaderSelectorListener listener) {
      this.client = Objects.requireNonNull(client, "client");
      this.path = Objects.requireNonNull(path, "path");
      this.listener = Objects.requireNonNull(listener, "listener");
    }

    public Builder id(String id) {
      this.id = Objects.requireNonNull(id, "id");
      return this;
    }

    /** Whether to queue again after every run; default false. */
    public Builder autoRequeue(boolean on) {
      this.autoRequeue = on;
      return this;
    }

    public Builder suspendPolicy(SuspendPolicy policy) {
      this.suspendPolicy = Objects.requireNonNull(policy, "policy");
      return this;
    }

    /** Where the selector's thread comes from; default a daemon thread. */
    public Builder threadFactory(ThreadFactory factory) {
      this.threadFactory = Objects.requireNonNull(factory, "factory");
      return this;
    }

    public LeaderSelector build() {
      return new LeaderSelector(this);
    }
  }
}
