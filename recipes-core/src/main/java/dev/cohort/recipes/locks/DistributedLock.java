package dev.cohort.recipes.locks;

import dev.cohort.recipes.Cohort;
import dev.cohort.recipes.CohortEvents;
import dev.cohort.recipes.Deadline;
import dev.cohort.recipes.FencingToken;
import dev.cohort.recipes.OwnedNode;
import dev.cohort.recipes.OwnershipListener;
import dev.cohort.recipes.internal.Place;
import dev.cohort.recipes.internal.SequentialQueue;
import java.time.Duration;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A mutual-exclusion lock across processes: at most one thread, in all the clients that name the
 * same path, holds it while its session lives.
 *
 * <h2>Guarantees</h2>
 * <ul>
 *   <li>Reentrant per thread; the count is kept locally, so a reentrant acquire sends nothing.</li>
 *   <li>Fair and herd-free: contenders queue as ephemeral-sequential nodes; each waiter watches only
 *       its predecessor, so a release fires one watch and wakes one thread.</li>
 *   <li>A contended handoff is one event: a holder that met contention releases with one multi that
 *       marks its node's data and deletes it, and the waiter behind takes the lock on that
 *       data-change event without listing the queue again (4 requests per contended acquisition,
 *       where a relisting recipe sends 5). A waiter that gives up or a session that ends deletes
 *       without the mark, and the waiter behind lists again.</li>
 *   <li>A waiter that gives up (timeout, interrupt) deletes its node before returning.</li>
 *   <li>A lost reply on the queueing create neither leaks the node nor deadlocks (protected create).</li>
 *   <li>Release deletes only the node this incarnation created; after its session expired it sends
 *       nothing at all. A release by a thread that holds nothing throws
 *       {@link IllegalMonitorStateException}.</li>
 *   <li>Each acquisition carries a {@link FencingToken}; {@link #addOwnershipListener} tells the holder
 *       when ownership may be lost (SUSPENDED) and when it is lost (session expired).</li>
 * </ul>
 * The lock cannot protect a holder that keeps working after its session expired: use the fencing
 * token to make the resource reject such late writes.
 */
public final class DistributedLock implements InterProcessLock {

  static final String NODE_NAME = "lock-";
  /** The recipe's name in {@link CohortEvents}. */
  static final String KIND = "lock";
  private static final byte[] NO_DATA = new byte[0];

  private final Cohort client;
  private final SequentialQueue queue;
  private final OwnershipTracker tracker;
  /** The client's event listener, or null: checked before anything is measured. */
  private final CohortEvents events;
  /** Each thread's hold; an entry is written only by its own thread. */
  private final Map<Thread, Hold> holds = new ConcurrentHashMap<>();

  private static class Hold {
    final Place place;
    final OwnedNode node;
    int count = 1;

    Hold(Place place) {
      this.place = place;
      this.node = place.granted().join();
    }
  }

  /** A hold made with an event listener bound: it also knows when it began, for the hold time. */
  private static final class TimedHold extends Hold {
    final long acquiredNanos;

    TimedHold(Place place, long acquiredNanos) {
      super(place);
      this.acquiredNanos = acquiredNanos;
    }
  }

  /**
   * A lock at {@code path} (relative to the client's namespace; created on first use).
   *
   * @throws dev.cohort.spi.InvalidPathException if the path is invalid
   */
  public DistributedLock(Cohort client, String path) {
    this.client = Objects.requireNonNull(client, "client");
    this.queue = new SequentialQueue(client, Objects.requireNonNull(path, "path"), true);
    this.events = client.events().orElse(null);
    this.tracker = new OwnershipTracker(client, events, KIND, queue.dir());
  }

  @Override
  public String path() {
    return queue.dir();
  }

  @Override
  public FencingToken acquire() throws InterruptedException {
    client.checkUsable();
    return acquire(Deadline.never(client), false)
        .orElseThrow(() -> new IllegalStateException("unbounded acquire ended without the lock"));
  }

  @Override
  public Optional<FencingToken> tryAcquire(Duration timeout) throws InterruptedException {
    Objects.requireNonNull(timeout, "timeout");
    client.checkUsable();
    return acquire(Deadline.after(client, timeout), false);
  }

  @Override
  public Optional<FencingToken> tryLock() throws InterruptedException {
    client.checkUsable();
    return acquire(Deadline.never(client), true);
  }

  private Optional<FencingToken> acquire(Deadline deadline, boolean tryOnce) throws InterruptedException {
    Thread me = Thread.currentThread();
    Hold hold = holds.get(me);
    if (hold != null) {
      requireAlive(hold.node);
      hold.count++;
      return Optional.of(hold.node.fencingToken());
    }
    if (Thread.interrupted()) {
      throw new InterruptedException();
    }
    if (events != null) {
      return acquireReported(me, deadline, tryOnce);
    }
    Place place = queue.acquire(NODE_NAME, NO_DATA, LockDecisions::exclusive, null, deadline, tryOnce);
    if (place == null) {
      return Optional.empty();
    }
    return Optional.of(hold(me, new Hold(place)).node.fencingToken());
  }

  private Hold hold(Thread me, Hold fresh) {
    holds.put(me, fresh);
    tracker.held(fresh.node);
    return fresh;
  }

  /** {@link #acquire(Deadline, boolean)} past the reentrant case, told to {@link #events}. */
  private Optional<FencingToken> acquireReported(Thread me, Deadline deadline, boolean tryOnce)
      throws InterruptedException {
    Object context = events.lockWaitStarted(KIND, queue.dir());
    long start = client.timeSource().nanoTime();
    Place place;
    try {
      place = queue.acquire(NODE_NAME, NO_DATA, LockDecisions::exclusive, null, deadline, tryOnce);
    } catch (InterruptedException | RuntimeException e) {
      events.lockNotAcquired(context, KIND, queue.dir(), client.timeSource().nanoTime() - start, e);
      throw e;
    }
    long now = client.timeSource().nanoTime();
    if (place == null) {
      events.lockNotAcquired(context, KIND, queue.dir(), now - start, null);
      return Optional.empty();
    }
    Hold fresh = hold(me, new TimedHold(place, now));
    events.lockAcquired(context, KIND, queue.dir(), now - start, place.contended());
    return Optional.of(fresh.node.fencingToken());
  }

  /** A reentrant acquire must not extend a hold that ended with its session. */
  private void requireAlive(OwnedNode node) {
    if (!client.isLiveSession(node.sessionId())) {
      throw new IllegalStateException("this thread's hold of " + path()
          + " ended with its session; release it before acquiring again");
    }
  }

  /**
   * {@inheritDoc}
   *
   * @throws IllegalMonitorStateException if the calling thread holds nothing (a hold that ended
   *     with its session is still held until released: releasing it sends nothing and is quiet)
   */
  @Override
  public boolean release() {
    Thread me = Thread.currentThread();
    Hold hold = holds.get(me);
    if (hold == null) {
      throw new IllegalMonitorStateException("the calling thread does not hold " + this);
    }
    if (--hold.count > 0) {
      return false;
    }
    holds.remove(me);
    tracker.released(hold.node);
    hold.place.release();
    if (hold instanceof TimedHold timed) {
      events.lockReleased(KIND, queue.dir(), client.timeSource().nanoTime() - timed.acquiredNanos);
    }
    return true;
  }

  @Override
  public boolean isHeldByCurrentThread() {
    Hold hold = holds.get(Thread.currentThread());
    return hold != null && client.isLiveSession(hold.node.sessionId());
  }

  @Override
  public Optional<String> ownedNodePath() {
    Hold hold = holds.get(Thread.currentThread());
    return hold == null ? Optional.empty() : Optional.of(hold.node.path());
  }

  /**
   * A check for a {@link dev.cohort.recipes.AsyncOps#multi multi} that passes only while the calling
   * thread's hold lasts: its lock node exists (see {@link OwnedNode#ownershipCheck()}). A multi
   * sent with it after the release or the end of the session fails, with nothing written.
   *
   * @throws IllegalMonitorStateException if the calling thread holds nothing
   */
  public dev.cohort.spi.Op ownershipCheck() {
    Hold hold = holds.get(Thread.currentThread());
    if (hold == null) {
      throw new IllegalMonitorStateException("the calling thread does not hold " + this);
    }
    return hold.node.ownershipCheck();
  }

  /** The token of the calling thread's current hold, if it holds the lock. */
  public Optional<FencingToken> currentToken() {
    Hold hold = holds.get(Thread.currentThread());
    return hold == null ? Optional.empty() : Optional.of(hold.node.fencingToken());
  }

  /** Tells {@code listener} when a hold of this lock may be lost, is confirmed again, or is lost. */
  public void addOwnershipListener(OwnershipListener listener) {
    tracker.addListener(listener);
  }

  public void removeOwnershipListener(OwnershipListener listener) {
    tracker.removeListener(listener);
  }

  /** Times a waiting thread of this lock object was woken; for herd tests. */
  long wakeups() {
    return queue.wakeups();
  }

  /** Threads waiting on this lock object's watches right now; for herd tests. */
  int parkedWaiters() {
    return queue.parked();
  }

  @Override
  public String toString() {
    return "DistributedLock[" + path() + "]";
  }
}
