package dev.cohort.recipes.leader;

import dev.cohort.recipes.Cohort;
import dev.cohort.recipes.ConnectionState;
import dev.cohort.recipes.ConnectionStateListener;
import dev.cohort.recipes.Deadline;
import dev.cohort.recipes.OwnedNode;
import dev.cohort.recipes.internal.Place;
import dev.cohort.recipes.internal.SequentialQueue;
import dev.cohort.recipes.locks.LockDecisions;
import dev.cohort.spi.ConnectionLossException;
import dev.cohort.spi.Paths;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.locks.ReentrantLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Leader election by latch: every participant queues an ephemeral-sequential node (a protected
 * create, carrying its id as data) under one path; the first node's owner leads. Each participant
 * watches only its predecessor, so a leader leaving wakes exactly its successor. A leader's close
 * marks its node's data in the multi that deletes it, so that successor leads on the watch event
 * alone; a participant leaving without leading, or a session ending, deletes without the mark, and
 * its successor lists again.
 *
 * <h2>How it works</h2>
 * The latch subscribes to a place in a {@link SequentialQueue} (the protocol locks use too: the
 * pure decision {@link LockDecisions#exclusive}, a getData watch on the predecessor, the marked
 * release) and claims leadership when the place is granted. It never blocks a backend thread. An
 * {@code epoch} counter, bumped whenever the latch's place is replaced, makes outcomes of an older
 * place harmless. A failure of the service that is not a lost connection or session is logged at
 * warn and the latch queues again after a backoff, so it never stalls silently.
 *
 * <h2>Safety across connection changes</h2>
 * <ul>
 *   <li>SUSPENDED: with {@link SuspendPolicy#RELEASE_ON_SUSPEND} (the default), {@link #hasLeadership()}
 *       turns false the instant the client reports it, and listeners hear {@code notLeader}.</li>
 *   <li>LOST: leadership ends; the node went with the session. When the client has a new session
 *       the latch queues a new node.</li>
 *   <li>RECONNECTED: before claiming leadership again the latch checks that its node still exists and
 *       is owned by the current session (same czxid, same owner); otherwise it queues a new node.</li>
 * </ul>
 * So two participants with live sessions never both report leadership for one term: a term is one
 * node, and a node's owner only reports leadership while its session is connected (or, under
 * KEEP_UNTIL_LOST, alive on the service, where its node blocks every other participant).
 *
 * <h2>What listeners hear</h2>
 * Leadership is claimed, and listeners are told, on the client's listener executor, in order with
 * the connection events this latch handles there; a claim is made only when both the client and
 * this latch's handled view say the connection is up. So each listener's calls strictly alternate
 * ({@code isLeader}, {@code notLeader}, ...) with one {@code notLeader} per term gained, and a
 * SUSPENDED handled before a gain never ends it. Under RELEASE_ON_SUSPEND a suspension ends the term
 * and a reconnect that finds the node intact reports the same term again; under KEEP_UNTIL_LOST a
 * suspension the session survives causes no calls. A listener added while the latch leads hears
 * that term's {@code notLeader} first; a silent {@link #close()} ends a term without one. A term
 * reported again after a reconnect {@linkplain LeadershipTerm#isReconfirmation() says so}. Listener
 * calls are handed to the executor in the order the latch decided them, never under its lock.
 *
 * <h2>Waiting</h2>
 * {@link #await} blocks (interruptibly, with a timeout on the client's clock); {@link
 * #leadershipAsync()} returns a future instead, for reactive code or many waits without a thread
 * each. Cancelling that future, or its timeout passing, withdraws the participant (closes the
 * latch, deleting its node), as a waiter that gives up must.
 */
public final class LeaderLatch implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(LeaderLatch.class);
  static final String NODE_NAME = "latch-";

  private enum Lifecycle { LATENT, STARTED, CLOSED }

  private final Cohort client;
  private final String path;
  private final String id;
  private final SuspendPolicy suspendPolicy;
  private final byte[] idBytes;
  private final SequentialQueue queue;
  private final List<LeaderLatchListener> listeners = new CopyOnWriteArrayList<>();
  private final ConnectionStateListener connectionListener = this::connectionChanged;

  private final ReentrantLock lock = new ReentrantLock();
  /** Guarded by lock. */
  private Lifecycle lifecycle = Lifecycle.LATENT;
  /** Guarded by lock: our place in line, or null while none is queued. */
  private Place place;
  /** Guarded by lock: bumped whenever {@link #place} is replaced or dropped. */
  private long epoch;
  /** Guarded by lock: the term we lead in, or null. */
  private LeadershipTerm term;
  /** Guarded by lock: the node of the last term claimed on {@link #place}, to tell a reconfirmation. */
  private OwnedNode claimedNode;
  /** Guarded by lock: completed (and replaced) whenever leadership or the lifecycle changes. */
  private CompletableFuture<Void> changed = new CompletableFuture<>();
  /** Guarded by lock: futures of {@link #leadershipAsync} waiting for a term. */
  private final List<CompletableFuture<LeadershipTerm>> waiting = new ArrayList<>();
  /** Guarded by lock: failures of the service in a row, for the retry backoff. */
  private int failures;
  /**
   * Guarded by lock: the last connection state this latch has handled, which lags the client's
   * state by the events still queued on the listener executor. Leadership is only claimed when
   * both agree the connection is up (see {@link #claim}).
   */
  private ConnectionState handledState;
  /**
   * Listener calls decided under the lock, handed to the listener executor after it is released,
   * in order. Guarded by itself, as is {@link #flushing}.
   */
  private final ArrayDeque<Runnable> outbox = new ArrayDeque<>();
  private boolean flushing;
  /** The client's event listener, or null. */
  private final dev.cohort.recipes.CohortEvents events;
  /** Guarded by lock: when the reported term began on the client's clock (listener bound only). */
  private long termStartNanos;

  private LeaderLatch(Builder b) {
    this.client = b.client;
    this.path = b.path;
    this.id = b.id;
    this.suspendPolicy = b.suspendPolicy;
    this.idBytes = id.getBytes(StandardCharsets.UTF_8);
    this.queue = new SequentialQueue(client, path, true);
    this.events = client.events().orElse(null);
  }

  /** A builder for a latch at {@code path} (relative to the client's namespace). */
  public static Builder builder(Cohort client, String path) {
    return new Builder(client, path);
  }

  /** The participant id. */
  public String id() {
    return id;
  }

  /** The latch's path. */
  public String path() {
    return path;
  }

  /**
   * The path (relative to the client's namespace) of this participant's node while it is in line:
   * what a test needs to inject a fault on exactly this participant.
   */
  public Optional<String> ownedNodePath() {
    lock.lock();
    try {
      return place == null ? Optional.empty() : place.nodePath();
    } finally {
      lock.unlock();
    }
  }

  /** Adds a listener for leadership changes from now on. */
  public void addListener(LeaderLatchListener listener) {
    listeners.add(Objects.requireNonNull(listener, "listener"));
  }

  /** Removes a listener; it may still hear calls already decided. */
  public void removeListener(LeaderLatchListener listener) {
    listeners.remove(listener);
  }

  /**
   * Joins the election. Returns at once; leadership is reported through {@link #hasLeadership()},
   * {@link #await} and listeners.
   *
   * @throws IllegalStateException if already started or closed, or if the client is not started or
   *     closed
   */
  public void start() {
    client.checkUsable();
    lock.lock();
    try {
      if (lifecycle != Lifecycle.LATENT) {
        throw new IllegalStateException("latch already " + lifecycle.name().toLowerCase());
      }
      lifecycle = Lifecycle.STARTED;
    } finally {
      lock.unlock();
    }
    client.addConnectionStateListener(connectionListener);
    ConnectionState state = client.connectionState();
    lock.lock();
    try {
      // Every transition after this read reaches connectionChanged, so the view never goes stale.
      handledState = state;
    } finally {
      lock.unlock();
    }
    requeue(); // a place waits for the connection by itself
  }

  /**
   * Whether this participant leads right now. False from the instant the client reports SUSPENDED
   * (under the default policy) or LOST, even before listeners hear of it.
   */
  public boolean hasLeadership() {
    lock.lock();
    try {
      return term != null && leadsNow(term);
    } finally {
      lock.unlock();
    }
  }

  /** The current term if this participant leads right now. */
  public Optional<LeadershipTerm> currentTerm() {
    lock.lock();
    try {
      return term != null && leadsNow(term) ? Optional.of(term) : Optional.empty();
    } finally {
      lock.unlock();
    }
  }

  /**
   * A check for a {@link dev.cohort.recipes.AsyncOps#multi multi} that passes only while the current
   * term lasts: the term's node exists (see {@link OwnedNode#ownershipCheck()}). A multi sent with
   * it after the latch gave up leadership or lost its session fails, with nothing written.
   *
   * @throws IllegalStateException if this participant does not lead right now
   */
  public dev.cohort.spi.Op ownershipCheck() {
    lock.lock();
    try {
      if (term == null || !leadsNow(term) || claimedNode == null) {
        throw new IllegalStateException(id + " does not lead " + path);
      }
      return claimedNode.ownershipCheck();
    } finally {
      lock.unlock();
    }
  }

  private boolean leadsNow(LeadershipTerm t) {
    ConnectionState state = client.connectionState();
    boolean connected = state != null
        && (state.isConnected() || (state == ConnectionState.SUSPENDED && suspendPolicy == SuspendPolicy.KEEP_UNTIL_LOST));
    return connected && client.isLiveSession(t.sessionId());
  }

  /**
   * Waits until this participant leads or {@code timeout} passes on the client's clock.
   *
   * @return true if it leads
   * @throws IllegalStateException if the latch is not started (or closed while waiting), or the
   *     client is not started or closed
   */
  public boolean await(Duration timeout) throws InterruptedException {
    Objects.requireNonNull(timeout, "timeout");
    client.checkUsable();
    return await(Deadline.after(client, timeout));
  }

  /** Waits, without limit, until this participant leads. */
  public void await() throws InterruptedException {
    client.checkUsable();
    await(Deadline.never(client));
  }

  private boolean await(Deadline deadline) throws InterruptedException {
    while (true) {
      CompletableFuture<Void> signal;
      lock.lock();
      try {
        if (lifecycle != Lifecycle.STARTED) {
          throw new IllegalStateException("latch is " + lifecycle.name().toLowerCase());
        }
        if (term != null && leadsNow(term)) {
          return true;
        }
        if (deadline.hasPassed()) {
          return false;
        }
        signal = changed;
      } finally {
        lock.unlock();
      }
      deadline.await(signal);
    }
  }

  /**
   * A future that completes with the term when this participant leads: at once if it leads now,
   * else when it next gains leadership (a reconfirmation after a reconnect counts). It never
   * blocks a thread, so it suits reactive code and many waits on virtual threads alike ({@code
   * join()} on a virtual thread parks only that thread).
   *
   * <p>Cancelling it (e.g. {@code future.cancel(true)}, or a reactive subscription built with
   * {@code Mono.fromFuture} being disposed) withdraws this participant from the election: the
   * latch is {@linkplain #close() closed} and its node deleted. Cancel the future this method
   * returns; cancelling a stage derived from it does not propagate. The future fails with {@link
   * IllegalStateException} if the latch is closed first. It completes on the client's listener
   * executor (or on the calling thread, if it leads now): dependent stages that block should use
   * the {@code *Async} variants with an executor of their own.
   *
   * @throws IllegalStateException if the latch is not started or closed, or the client is not
   *     started or closed
   */
  public CompletableFuture<LeadershipTerm> leadershipAsync() {
    client.checkUsable();
    return leadershipAsync(Deadline.never(client));
  }

  /**
   * As {@link #leadershipAsync()}, giving up after {@code timeout} on the client's clock (virtual
   * time in tests): the future then fails with {@link java.util.concurrent.TimeoutException} and,
   * as a waiter that gives up, this participant withdraws (the latch is closed and its node
   * deleted). Use this rather than {@code orTimeout}, which counts wall-clock time and does not
   * withdraw.
   *
   * @throws IllegalStateException if the latch is not started or closed, or the client is not
   *     started or closed
   */
  public CompletableFuture<LeadershipTerm> leadershipAsync(Duration timeout) {
    Objects.requireNonNull(timeout, "timeout");
    client.checkUsable();
    return leadershipAsync(Deadline.after(client, timeout));
  }

  private CompletableFuture<LeadershipTerm> leadershipAsync(Deadline deadline) {
    CompletableFuture<LeadershipTerm> future = new CompletableFuture<>();
    lock.lock();
    try {
      if (lifecycle != Lifecycle.STARTED) {
        throw new IllegalStateException("latch is " + lifecycle.name().toLowerCase());
      }
      if (term != null && leadsNow(term)) {
        return CompletableFuture.completedFuture(term);
      }
      waiting.add(future);
    } finally {
      lock.unlock();
    }
    future.whenComplete((t, error) -> {
      if (error instanceof CancellationException) {
        close(); // the caller gave up: withdraw, and take our node with us
      } else {
        forget(future);
      }
    });
    if (!deadline.isNever()) {
      CompletableFuture<Void> expiry = deadline.expiry();
      future.whenComplete((t, error) -> expiry.complete(null)); // stops watching the clock
      expiry.thenRun(() -> {
        if (future.completeExceptionally(new TimeoutException(this + ": no leadership within the timeout"))) {
          close();
        }
      });
    }
    return future;
  }

  private void forget(CompletableFuture<LeadershipTerm> future) {
    lock.lock();
    try {
      waiting.remove(future);
    } finally {
      lock.unlock();
    }
  }

  /** Takes the futures waiting for leadership. Caller holds lock, and completes them after release. */
  private List<CompletableFuture<LeadershipTerm>> takeWaiting() {
    if (waiting.isEmpty()) {
      return List.of();
    }
    List<CompletableFuture<LeadershipTerm>> taken = List.copyOf(waiting);
    waiting.clear();
    return taken;
  }

  /**
   * The participants in line order (the first leads), read now from the service: one listing and
   * one read per participant.
   */
  public List<Participant> participants() throws InterruptedException {
    return Elections.participants(client, path);
  }

  /** The current leader, read now from the service; empty if nobody is in line. */
  public Optional<Participant> leader() throws InterruptedException {
    return Elections.leader(client, path);
  }

  /** Leaves the election silently. */
  @Override
  public void close() {
    close(CloseMode.SILENT);
  }

  /**
   * Leaves the election: deletes this latch's node (only if it is still ours; in the background if
   * the connection is down), so the next participant takes over. Idempotent.
   */
  public void close(CloseMode mode) {
    Place old;
    LeadershipTerm ended;
    List<CompletableFuture<LeadershipTerm>> abandoned;
    lock.lock();
    try {
      if (lifecycle == Lifecycle.CLOSED) {
        return;
      }
      lifecycle = Lifecycle.CLOSED;
      abandoned = takeWaiting();
      epoch++;
      old = place;
      place = null;
      ended = term;
      term = null;
      signalChange();
      if (ended != null && mode == CloseMode.NOTIFY_LEADER) {
        announce(ended, false);
      } else if (ended != null) {
        reportLeadership(false); // silent to listeners, but the term ended
      }
    } finally {
      lock.unlock();
    }
    flushOutbox();
    abandoned.forEach(f -> f.completeExceptionally(new IllegalStateException("latch closed before it led")));
    client.removeConnectionStateListener(connectionListener);
    if (old != null && !old.cancel()) {
      // A leader's node is the first in line: marking it as it goes tells the next participant
      // that it leads now, without another listing.
      old.release(ended != null);
    }
  }

  // ---- the election loop (backend threads and the listener executor; never blocks) ----------

  /** Drops our place, if any, and queues a new one. */
  private void requeue() {
    Place old;
    long myEpoch;
    lock.lock();
    try {
      if (lifecycle != Lifecycle.STARTED) {
        return;
      }
      old = place;
      place = null;
      claimedNode = null;
      myEpoch = ++epoch;
      endTerm();
    } finally {
      lock.unlock();
    }
    flushOutbox();
    if (old != null && !old.cancel()) {
      old.release(false);
    }
    Place fresh = queue.join(NODE_NAME, idBytes, SequentialQueue.EXCLUSIVE, null, false);
    boolean current;
    lock.lock();
    try {
      current = myEpoch == epoch && lifecycle == Lifecycle.STARTED;
      if (current) {
        place = fresh;
      }
    } finally {
      lock.unlock();
    }
    if (!current) {
      if (!fresh.cancel()) {
        fresh.release(false);
      }
      return;
    }
    fresh.granted().whenComplete((node, error) -> {
      if (!isCurrent(myEpoch)) {
        return;
      }
      if (error != null) {
        retryAfterFailure(myEpoch, "could not take its place in line", error);
      } else if (node != null) {
        becomeLeader(myEpoch, node);
      }
    });
  }

  /**
   * A failure of the service that the protocol does not absorb (not a lost connection or session):
   * warn, and queue again after a backoff on the client's clock, unless something newer happened.
   */
  private void retryAfterFailure(long myEpoch, String what, Throwable error) {
    Throwable cause = error instanceof CompletionException && error.getCause() != null ? error.getCause() : error;
    if (client.isClosed()) {
      log.debug("{}: the client is closed: {}", this, cause.toString());
      return; // nothing to retry on
    }
    int attempt;
    lock.lock();
    try {
      attempt = ++failures;
    } finally {
      lock.unlock();
    }
    // doubling from 10 ms up to about 2.5 s; no jitter (recipe code draws no randomness of its own)
    Duration delay = Duration.ofMillis(10L << Math.min(attempt - 1, 8));
    log.warn("{}: {} (failure {} in a row); trying again in {} ms: {}", this, what, attempt, delay.toMillis(),
        cause.toString());
    Deadline.after(client, delay).expiry().thenRun(() -> {
      if (isCurrent(myEpoch)) {
        requeue();
      }
    });
  }

  private boolean isCurrent(long myEpoch) {
    lock.lock();
    try {
      return myEpoch == epoch && lifecycle == Lifecycle.STARTED;
    } finally {
      lock.unlock();
    }
  }

  /**
   * Claims leadership on the listener executor, behind every connection event queued before it.
   * Claiming straight from a backend thread let a term gained after a reconnect be ended by the
   * older SUSPENDED still in the queue, so listeners heard isLeader, notLeader, isLeader for one
   * gain; in queue order, the SUSPENDED is handled first and the claim sees the connection up.
   */
  private void becomeLeader(long myEpoch, OwnedNode ours) {
    client.listenerExecutor().execute(() -> claim(myEpoch, ours));
  }

  private void claim(long myEpoch, OwnedNode ours) {
    LeadershipTerm claimed;
    List<CompletableFuture<LeadershipTerm>> woken;
    lock.lock();
    try {
      if (myEpoch != epoch || lifecycle != Lifecycle.STARTED || term != null) {
        return;
      }
      ConnectionState state = client.connectionState();
      if (handledState == null || !handledState.isConnected()
          || state == null || !state.isConnected() || !client.isLiveSession(ours.sessionId())) {
        // a SUSPENDED or LOST is queued or handled; the RECONNECTED after it re-checks
        return;
      }
      term = new LeadershipTerm(id, ours.fencingToken(), ours.sessionId(), ours.equals(claimedNode));
      claimedNode = ours;
      failures = 0;
      signalChange();
      announce(term, true);
      claimed = term;
      woken = takeWaiting();
    } finally {
      lock.unlock();
    }
    flushOutbox();
    woken.forEach(f -> f.complete(claimed));
  }

  /** Ends the current term, if any. Caller holds lock, and flushes the outbox after releasing it. */
  private void endTerm() {
    if (term != null) {
      LeadershipTerm ended = term;
      term = null;
      signalChange();
      announce(ended, false);
    }
  }

  /** Tells the client's event listener, if one is bound, of a term reported. Caller holds lock. */
  private void reportLeadership(boolean gained) {
    if (events != null) {
      long now = client.timeSource().nanoTime();
      events.leadershipChanged(path, gained, gained ? 0 : now - termStartNanos);
      termStartNanos = now;
    }
  }

  /** Wakes {@link #await}. Caller holds lock. */
  private void signalChange() {
    CompletableFuture<Void> woken = changed;
    changed = new CompletableFuture<>();
    woken.complete(null);
  }

  /**
   * Queues listener calls in decision order. Caller holds lock; they run only once {@link
   * #flushOutbox} hands them to the listener executor, outside the lock.
   */
  private void announce(LeadershipTerm t, boolean gained) {
    reportLeadership(gained);
    synchronized (outbox) {
      for (LeaderLatchListener l : listeners) {
        outbox.add(gained ? () -> l.isLeader(t) : () -> l.notLeader(t));
      }
    }
  }

  /**
   * Hands queued listener calls to the listener executor, in order, one thread at a time and never
   * under the latch's lock (a direct executor runs them right here). Caller must not hold lock.
   */
  private void flushOutbox() {
    synchronized (outbox) {
      if (flushing) {
        return; // the thread flushing now (perhaps this one, from a listener) hands these on too
      }
      flushing = true;
    }
    while (true) {
      Runnable next;
      synchronized (outbox) {
        next = outbox.poll();
        if (next == null) {
          flushing = false;
          return;
        }
      }
      try {
        client.listenerExecutor().execute(next);
      } catch (RuntimeException e) {
        log.warn("{}: a listener failed", this, e);
      }
    }
  }

  private void connectionChanged(Cohort c, ConnectionState state) {
    lock.lock();
    try {
      handledState = state;
    } finally {
      lock.unlock();
    }
    switch (state) {
      case SUSPENDED -> {
        if (suspendPolicy == SuspendPolicy.RELEASE_ON_SUSPEND) {
          lock.lock();
          try {
            endTerm();
          } finally {
            lock.unlock();
          }
          flushOutbox();
        }
      }
      case LOST -> {
        lock.lock();
        try {
          endTerm();
          OwnedNode held = place == null ? null : place.heldNode();
          // Our granted node went with the session (a place still waiting queues anew by itself).
          // Not so for a LOST heard late, once the latch already queued and was granted on the next
          // session: that node is on the live session, and dropping it here left it first in line,
          // owned by nobody, blocking every participant, this one too, for the session's life.
          if (held != null && !client.isLiveSession(held.sessionId())) {
            place = null;
            claimedNode = null;
            epoch++;
          }
        } finally {
          lock.unlock();
        }
        flushOutbox();
      }
      case RECONNECTED -> verifyAfterReconnect();
      case CONNECTED -> { }
    }
  }

  /**
   * Keeps a granted node only if it still exists and the current session owns it; else queues
   * anew. A place still waiting checks after a reconnect by itself.
   */
  private void verifyAfterReconnect() {
    Place ours;
    long myEpoch;
    lock.lock();
    try {
      if (lifecycle != Lifecycle.STARTED) {
        return;
      }
      ours = place;
      myEpoch = epoch;
    } finally {
      lock.unlock();
    }
    if (ours == null) {
      requeue();
      return;
    }
    OwnedNode node = ours.heldNode();
    if (node == null) {
      return;
    }
    SequentialQueue.stillOwned(client, node).whenComplete((owned, error) -> {
      if (!isCurrent(myEpoch)) {
        return;
      }
      if (error != null) {
        Throwable cause = error instanceof CompletionException && error.getCause() != null ? error.getCause() : error;
        if (!(cause instanceof ConnectionLossException)) {
          retryAfterFailure(myEpoch, "could not check its node after a reconnect", cause);
        } // else: the connection dropped again; the next RECONNECTED checks
      } else if (owned) {
        becomeLeader(myEpoch, node);
      } else {
        requeue();
      }
    });
  }

  /** Times a waiting place of this latch was woken by its watch or a session loss; for tests. */
  long wakeups() {
    return queue.wakeups();
  }

  @Override
  public String toString() {
    return "LeaderLatch[" + path + ", " + id + "]";
  }

  /** Configures a {@link LeaderLatch}. */
  public static final class Builder {
    private final Cohort client;
    private final String path;
    private String id = "";
    private SuspendPolicy suspendPolicy = SuspendPolicy.RELEASE_ON_SUSPEND;

    private Builder(Cohort client, String path) {
      this.client = Objects.requireNonNull(client, "client");
      Objects.requireNonNull(path, "path");
      Paths.validate(path);
      this.path = path;
    }

    /** The participant id others see in {@link LeaderLatch#participants()}; default empty. */
    public Builder id(String id) {
      this.id = Objects.requireNonNull(id, "id");
      return this;
    }

    /** What leadership does while SUSPENDED; default {@link SuspendPolicy#RELEASE_ON_SUSPEND}. */
    public Builder suspendPolicy(SuspendPolicy policy) {
      this.suspendPolicy = Objects.requireNonNull(policy, "policy");
      return this;
    }

    /** Builds the latch; call {@link LeaderLatch#start()} to join the election. */
    public LeaderLatch build() {
      return new LeaderLatch(this);
    }
  }
}
