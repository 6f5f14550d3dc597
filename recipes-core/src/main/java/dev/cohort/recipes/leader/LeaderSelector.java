package dev.cohort.recipes.leader;

import dev.cohort.recipes.Cohort;
import dev.cohort.recipes.ConnectionState;
import dev.cohort.recipes.ConnectionStateListener;
import dev.cohort.recipes.Deadline;
import dev.cohort.recipes.OwnedNode;
import dev.cohort.recipes.internal.Place;
import dev.cohort.recipes.internal.SequentialQueue;
import dev.cohort.spi.Paths;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.locks.ReentrantLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Leader election that runs a callback while leading. Participants queue in the {@link
 * SequentialQueue} at the selector's path, as a lock's waiters do (herd-free, fenced), each node
 * carrying its participant's id (so {@link #participants()} and a {@link LeadershipObserver} can
 * name them); the holder's {@link
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
  /** The node name a lock's waiters use too, so a selector's line reads like a lock's. */
  static final String NODE_NAME = "lock-";

  private final Cohort client;
  private final String id;
  private final LeaderSelectorListener listener;
  private final SuspendPolicy suspendPolicy;
  private final ThreadFactory threadFactory;
  private final String path;
  private final byte[] idBytes;
  private final SequentialQueue queue;
  private final ConnectionStateListener connectionListener = this::connectionChanged;
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
  /** Guarded by state: the node behind {@link #running}. */
  private OwnedNode runningNode;
  /** Guarded by state: futures of {@link #leadershipAsync} waiting for a term. */
  private final List<CompletableFuture<LeadershipTerm>> waiting = new ArrayList<>();

  private LeaderSelector(Builder b) {
    this.client = b.client;
    this.id = b.id;
    this.listener = b.listener;
    this.suspendPolicy = b.suspendPolicy;
    this.threadFactory = b.threadFactory;
    this.autoRequeue = b.autoRequeue;
    this.path = b.path;
    this.idBytes = id.getBytes(StandardCharsets.UTF_8);
    this.queue = new SequentialQueue(client, path, true);
    this.events = client.events().orElse(null);
  }

  /** A builder for a selector at {@code path} running {@code listener}. */
  public static Builder builder(Cohort client, String path, LeaderSelectorListener listener) {
    return new Builder(client, path, listener);
  }

  /**
   * Joins the election once (and again after each run if auto-requeue is on).
   *
   * @throws IllegalStateException if already started or closed, or the client is not started or
   *     closed
   */
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
    } finally {
      state.unlock();
    }
    client.addConnectionStateListener(connectionListener);
    Thread t;
    state.lock();
    try {
      t = closed ? null : worker;
    } finally {
      state.unlock();
    }
    if (t != null) {
      t.start();
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

  /**
   * A future that completes with the term when this selector's callback next starts (at once if it
   * runs now), just before {@link LeaderSelectorListener#takeLeadership} is called with the same
   * term. Usable before {@link #start()}. It never blocks a thread, so it suits reactive code and
   * waits on virtual threads alike.
   *
   * <p>Cancelling it (e.g. {@code future.cancel(true)}, or disposing a {@code Mono.fromFuture} of
   * it) withdraws this participant: the selector is {@linkplain #close() closed}, its wait given
   * up and its node deleted. Cancel the future this method returns; cancelling a stage derived
   * from it does not propagate. The future fails with {@link IllegalStateException} if the
   * selector is closed first. It completes on the selector's thread, which then runs the
   * callback: dependent stages should not block (use the {@code *Async} variants).
   *
   * @throws IllegalStateException if the selector is closed, or the client is not started or
   *     closed
   */
  public CompletableFuture<LeadershipTerm> leadershipAsync() {
    client.checkUsable();
    CompletableFuture<LeadershipTerm> future = new CompletableFuture<>();
    state.lock();
    try {
      if (closed) {
        throw new IllegalStateException("selector is closed");
      }
      if (running != null && client.isLiveSession(running.sessionId()) && connectedEnough()) {
        return CompletableFuture.completedFuture(running);
      }
      waiting.add(future);
    } finally {
      state.unlock();
    }
    future.whenComplete((t, error) -> {
      if (error instanceof CancellationException) {
        close(); // the caller gave up: withdraw, and take our node with us
      } else {
        state.lock();
        try {
          waiting.remove(future);
        } finally {
          state.unlock();
        }
      }
    });
    return future;
  }

  /**
   * The participants in line order (the first leads), read now from the service: one listing and
   * one read per participant.
   *
   * @throws IllegalStateException if the client is not started or closed
   */
  public List<Participant> participants() throws InterruptedException {
    return Elections.participants(client, path);
  }

  /**
   * The current leader, read now from the service; empty if nobody is in line.
   *
   * @throws IllegalStateException if the client is not started or closed
   */
  public Optional<Participant> leader() throws InterruptedException {
    return Elections.leader(client, path);
  }

  /** Takes the futures waiting for a term. Caller holds state, and completes them after release. */
  private List<CompletableFuture<LeadershipTerm>> takeWaiting() {
    if (waiting.isEmpty()) {
      return List.of();
    }
    List<CompletableFuture<LeadershipTerm>> taken = List.copyOf(waiting);
    waiting.clear();
    return taken;
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
  public Optional<String> ownedNodePath() {
    state.lock();
    try {
      return Optional.ofNullable(running == null || runningNode == null ? null : runningNode.path());
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
      if (running == null || runningNode == null) {
        throw new IllegalStateException(this + " does not lead now");
      }
      return runningNode.ownershipCheck();
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

  /**
   * Stops: interrupts a running callback, leaves the line, and deletes our node (the selector's
   * thread does, as its wait or run ends). Idempotent.
   */
  @Override
  public void close() {
    Thread t;
    List<CompletableFuture<LeadershipTerm>> abandoned;
    state.lock();
    try {
      if (closed) {
        return;
      }
      closed = true;
      t = worker;
      abandoned = takeWaiting();
    } finally {
      state.unlock();
    }
    client.removeConnectionStateListener(connectionListener);
    if (t != null) {
      t.interrupt();
    }
    abandoned.forEach(f -> f.completeExceptionally(new IllegalStateException("selector closed before it led")));
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
    Place place = queue.acquire(NODE_NAME, idBytes, SequentialQueue.EXCLUSIVE, null, Deadline.never(client), false);
    if (place == null) {
      return; // cannot happen without a deadline or a try; nothing to release
    }
    try {
      OwnedNode node = place.heldNode();
      LeadershipTerm term = new LeadershipTerm(id, node.fencingToken(), node.sessionId());
      List<CompletableFuture<LeadershipTerm>> woken;
      state.lock();
      try {
        if (closed) {
          return;
        }
        running = term;
        runningNode = node;
      } finally {
        state.unlock();
      }
      // a SUSPENDED or LOST handled before running was set interrupted nobody: check once more
      if (!client.isLiveSession(node.sessionId()) || !connectedEnough()) {
        throw new InterruptedException("leadership lost before the callback started");
      }
      state.lock();
      try {
        woken = takeWaiting();
      } finally {
        state.unlock();
      }
      woken.forEach(f -> f.complete(term));
      runTerm(term);
    } finally {
      state.lock();
      try {
        running = null;
        runningNode = null;
      } finally {
        state.unlock();
      }
      place.release();
    }
  }

  /** Runs the callback for one term, reported to the client's event listener if one is bound. */
  private void runTerm(LeadershipTerm term) throws InterruptedException {
    if (events == null) {
      listener.takeLeadership(term);
      return;
    }
    long start = client.timeSource().nanoTime();
    events.leadershipChanged(path, true, 0);
    try {
      listener.takeLeadership(term);
    } finally {
      events.leadershipChanged(path, false, client.timeSource().nanoTime() - start);
    }
  }

  /**
   * Interrupts a running callback whose leadership may be lost (SUSPENDED, unless KEEP_UNTIL_LOST)
   * or is lost (LOST of its session; a RECONNECTED that finds its node gone or not owned by the
   * current session). Runs on the listener executor.
   */
  private void connectionChanged(Cohort c, ConnectionState newState) {
    OwnedNode node;
    state.lock();
    try {
      node = running == null ? null : runningNode;
    } finally {
      state.unlock();
    }
    if (node == null) {
      return;
    }
    switch (newState) {
      case SUSPENDED -> {
        if (suspendPolicy == SuspendPolicy.RELEASE_ON_SUSPEND) {
          interruptIfRunning(node);
        }
      }
      // a LOST heard after the selector already leads on the next session is about the old one
      case LOST -> {
        if (!client.isLiveSession(node.sessionId())) {
          interruptIfRunning(node);
        }
      }
      case RECONNECTED -> SequentialQueue.stillOwned(client, node).whenComplete((owned, error) -> {
        if ((error == null && !owned) || !client.isLiveSession(node.sessionId())) {
          interruptIfRunning(node);
        } // an error with the session alive: unsure, and the next transition tells
      });
      case CONNECTED -> { }
    }
  }

  private void interruptIfRunning(OwnedNode node) {
    Thread t;
    state.lock();
    try {
      t = running != null && node.equals(runningNode) ? worker : null;
    } finally {
      state.unlock();
    }
    if (t != null) {
      t.interrupt();
    }
  }

  @Override
  public String toString() {
    return "LeaderSelector[" + path + ", " + id + "]";
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
      Paths.validate(path);
    }

    /** The participant id others see in {@link LeaderSelector#participants()}; default empty. */
    public Builder id(String id) {
      this.id = Objects.requireNonNull(id, "id");
      return this;
    }

    /** Whether to queue again after every run; default false. */
    public Builder autoRequeue(boolean on) {
      this.autoRequeue = on;
      return this;
    }

    /** What leadership does while SUSPENDED; default {@link SuspendPolicy#RELEASE_ON_SUSPEND}. */
    public Builder suspendPolicy(SuspendPolicy policy) {
      this.suspendPolicy = Objects.requireNonNull(policy, "policy");
      return this;
    }

    /** Where the selector's thread comes from; default a daemon thread. */
    public Builder threadFactory(ThreadFactory factory) {
      this.threadFactory = Objects.requireNonNull(factory, "factory");
      return this;
    }

    /** Builds the selector; call {@link LeaderSelector#start()} to join the election. */
    public LeaderSelector build() {
      return new LeaderSelector(this);
    }
  }
}
