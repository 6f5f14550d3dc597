package dev.cohort.recipes.locks;

import dev.cohort.recipes.Cohort;
import dev.cohort.recipes.CohortEvents;
import dev.cohort.recipes.Deadline;
import dev.cohort.recipes.FencingToken;
import dev.cohort.recipes.OwnedNode;
import dev.cohort.recipes.OwnershipListener;
import dev.cohort.recipes.internal.Place;
import dev.cohort.recipes.internal.SequentialQueue;
import dev.cohort.recipes.NodeNames;
import dev.cohort.spi.NoNodeException;
import dev.cohort.spi.NodeData;
import dev.cohort.spi.Paths;
import dev.cohort.spi.WatchEvent;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;

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
 *   <li>Back to back, one write per cycle on backends that sync each write (ZooKeeper, etcd): a
 *       release may wait for the client's {@linkplain Cohort.Builder#writeJoinWindow write-join
 *       window} and go in one transaction with this object's next acquire by any thread of the
 *       client, which then holds without a listing if nobody queued in between. Only a release
 *       whose predecessor was followed promptly by an acquire waits; until it is sent, others see
 *       the lock as held. The next acquire queues behind every waiter that came meanwhile, and
 *       gets a new node and a newer token.</li>
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
 *
 * <h2>Asynchronous acquire</h2>
 * {@link #acquireAsync()} and {@link #acquireAsync(Duration)} queue a contender and return at once;
 * no thread waits. The future completes with a {@link LockHold} on the client's {@linkplain
 * Cohort#listenerExecutor() listener executor} (never a backend thread, never under a lock of the
 * recipe; it runs listeners one at a time, so hand long work to an executor of your own with the
 * {@code *Async} methods of the future). Cancelling the future, or the timeout passing, removes the
 * contender's watch and deletes its node; a timeout fails the future with {@link TimeoutException}.
 * A hold granted just as its future was cancelled is given back. The rules between the two kinds:
 * <ul>
 *   <li>An asynchronous hold belongs to its {@link LockHold}, not to a thread: any thread releases
 *       it, and {@link #isHeldByCurrentThread()} does not count it.</li>
 *   <li>It is never reentrant: each asynchronous acquire is a contender of its own, queued behind
 *       every earlier one, this object's included. A thread that holds the lock with {@link
 *       #acquire()} is refused one ({@link IllegalStateException}): it would wait for itself.</li>
 *   <li>{@link #acquire()} by a thread while an asynchronous acquire of this object is pending or
 *       holds is another contender, and waits its turn.</li>
 * </ul>
 * Services on virtual threads (Java 21 and later) can equally call the blocking methods: their waits
 * park through {@link java.util.concurrent.locks.LockSupport}, which releases the carrier thread.
 * Every wait follows the client's {@link dev.cohort.spi.TimeSource} through {@link Deadline}.
 *
 * <h2>Revocation</h2>
 * A lock given a {@link RevocationListener} ({@link #setRevocationListener}) queues revocable
 * contenders: anyone may then ask the holder to give the lock up with {@link #requestRevocation},
 * naming its node (see {@link #participants()}). The request writes a mark into the holder's node;
 * the holder watches its own node while it holds (one {@code getData} per revocable acquisition),
 * and its listener is told once. A request is only a request: nothing is released unless the holder
 * releases. The waiter behind a revocable node treats a data change of it as a request, not as a
 * release, and revocable holders release with a plain delete.
 */
public final class DistributedLock implements InterProcessLock {

  static final String NODE_NAME = "lock-";
  /** The node name of a contender that accepts revocation requests. */
  static final String REVOCABLE_NAME = "revocable-lock-";
  /** The data {@link #requestRevocation} writes into a revocable node. */
  private static final byte[] REVOKE = {'r', 'e', 'v', 'o', 'k', 'e'};
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
  /** Told of revocation requests; contenders queued while it is null are not revocable. */
  private volatile RevocationListener revocationListener;

  private static class Hold {
    final Place place;
    final OwnedNode node;
    /** Whether its node accepts revocation requests (and so is released without the mark). */
    final boolean revocable;
    int count = 1;

    Hold(Place place, boolean revocable) {
      this.place = place;
      this.node = place.granted().join();
      this.revocable = revocable;
    }
  }

  /** A hold made with an event listener bound: it also knows when it began, for the hold time. */
  private static final class TimedHold extends Hold {
    final long acquiredNanos;

    TimedHold(Place place, boolean revocable, long acquiredNanos) {
      super(place, revocable);
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
    this.queue = new SequentialQueue(client, Objects.requireNonNull(path, "path"), true,
        DistributedLock::isRevocableName).joinReleases();
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
    RevocationListener listener = revocationListener;
    if (events != null) {
      return acquireReported(me, listener, deadline, tryOnce);
    }
    Place place = queue.acquire(nodeName(listener), NO_DATA, SequentialQueue.EXCLUSIVE, null, deadline, tryOnce);
    if (place == null) {
      return Optional.empty();
    }
    return Optional.of(hold(me, new Hold(place, listener != null), listener).node.fencingToken());
  }

  private Hold hold(Thread me, Hold fresh, RevocationListener listener) {
    holds.put(me, fresh);
    tracker.held(fresh.node);
    if (listener != null) {
      watchForRevocation(fresh.node, listener);
    }
    return fresh;
  }

  private static String nodeName(RevocationListener listener) {
    return listener == null ? NODE_NAME : REVOCABLE_NAME;
  }

  static boolean isRevocableName(String nameWithoutMarker) {
    return nameWithoutMarker.startsWith(REVOCABLE_NAME);
  }

  /** Gives a granted place back: a revocable node without the mark (see the class comment). */
  private static void releasePlace(Place place, boolean revocable) {
    if (revocable) {
      place.release(false);
    } else {
      place.release();
    }
  }

  /** {@link #acquire(Deadline, boolean)} past the reentrant case, told to {@link #events}. */
  private Optional<FencingToken> acquireReported(Thread me, RevocationListener listener, Deadline deadline,
      boolean tryOnce) throws InterruptedException {
    Object context = events.lockWaitStarted(KIND, queue.dir());
    long start = client.timeSource().nanoTime();
    Place place;
    try {
      place = queue.acquire(nodeName(listener), NO_DATA, SequentialQueue.EXCLUSIVE, null, deadline, tryOnce);
    } catch (InterruptedException | RuntimeException e) {
      events.lockNotAcquired(context, KIND, queue.dir(), client.timeSource().nanoTime() - start, e);
      throw e;
    }
    long now = client.timeSource().nanoTime();
    if (place == null) {
      events.lockNotAcquired(context, KIND, queue.dir(), now - start, null);
      return Optional.empty();
    }
    Hold fresh = hold(me, new TimedHold(place, listener != null, now), listener);
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
    releasePlace(hold.place, hold.revocable);
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

  /** Stops telling {@code listener}; a listener not added is ignored. */
  public void removeOwnershipListener(OwnershipListener listener) {
    tracker.removeListener(listener);
  }

  // ---- asynchronous acquire ----------------------------------------------------------------

  /**
   * Queues for the lock and returns at once; the future completes with the hold once this
   * contender is first in line. Waits without limit; cancel the future to give up (its node and
   * watch are removed). See the class comment for how asynchronous and thread holds relate.
   *
   * @return a future of the hold; it fails with {@link IllegalStateException} if the client is
   *     closed while waiting, or with the backend's {@link dev.cohort.spi.CoordinationException}
   *     on a failure that is not a lost connection or session (those are waited out)
   * @throws IllegalStateException at once if the client is not started or closed, or if the
   *     calling thread holds this lock (it would wait for itself); nothing is queued then
   */
  public CompletableFuture<LockHold> acquireAsync() {
    client.checkUsable();
    return acquireAsync(Deadline.never(client));
  }

  /**
   * As {@link #acquireAsync()}, giving up after {@code timeout} on the client's clock: the future
   * then fails with {@link TimeoutException}, after the contender's node and watch were removed.
   * A zero or negative timeout gives up at once, before the service answers: for one look at a
   * free lock use {@link #tryLock()}.
   *
   * @throws IllegalStateException as {@link #acquireAsync()}
   */
  public CompletableFuture<LockHold> acquireAsync(Duration timeout) {
    Objects.requireNonNull(timeout, "timeout");
    client.checkUsable();
    return acquireAsync(Deadline.after(client, timeout));
  }

  private CompletableFuture<LockHold> acquireAsync(Deadline deadline) {
    if (holds.containsKey(Thread.currentThread())) {
      throw new IllegalStateException("the calling thread holds " + path()
          + "; an asynchronous acquire is never reentrant and would wait for this thread");
    }
    RevocationListener listener = revocationListener;
    Object context = events == null ? null : events.lockWaitStarted(KIND, queue.dir());
    long start = client.timeSource().nanoTime();
    Place place = queue.join(nodeName(listener), NO_DATA, SequentialQueue.EXCLUSIVE, null, false);
    CompletableFuture<LockHold> result = new CompletableFuture<>();
    CompletableFuture<Void> expiry = deadline.expiry();
    expiry.thenRun(place::cancel);
    result.whenComplete((hold, error) -> {
      if (result.isCancelled()) {
        place.cancel(); // false once granted: the grant then finds the future done and gives it back
      }
    });
    place.granted().whenComplete((node, error) -> {
      expiry.cancel(false);
      Delivery.complete(client, () -> settle(result, place, node, error, listener, context, start));
    });
    return result;
  }

  /** Completes an asynchronous acquire with its place's outcome; on the listener executor. */
  private void settle(CompletableFuture<LockHold> result, Place place, OwnedNode node, Throwable error,
      RevocationListener listener, Object context, long start) {
    long now = client.timeSource().nanoTime();
    if (node == null) {
      // given up: cancelled (the future is done already) or timed out
      Throwable cause = error == null ? new TimeoutException("timed out waiting for " + path()) : unwrap(error);
      if (events != null) {
        events.lockNotAcquired(context, KIND, queue.dir(), now - start, error == null ? null : cause);
      }
      result.completeExceptionally(cause);
      return;
    }
    boolean revocable = listener != null;
    tracker.held(node);
    LockHold hold = new LockHold(client, path(), node, () -> {
      tracker.released(node);
      releasePlace(place, revocable);
      if (events != null) {
        events.lockReleased(KIND, queue.dir(), client.timeSource().nanoTime() - now);
      }
    });
    if (revocable) {
      watchForRevocation(node, listener);
    }
    if (events != null) {
      events.lockAcquired(context, KIND, queue.dir(), now - start, place.contended());
    }
    if (!result.complete(hold)) {
      hold.release(); // cancelled as it was granted
    }
  }

  private static Throwable unwrap(Throwable t) {
    while (t instanceof CompletionException && t.getCause() != null) {
      t = t.getCause();
    }
    return t;
  }

  // ---- revocation --------------------------------------------------------------------------

  /**
   * Opts the contenders this object queues from now on in to revocation requests, told to {@code
   * listener}; null opts out again. Holds and waits already under way keep what they queued with.
   */
  public void setRevocationListener(RevocationListener listener) {
    this.revocationListener = listener;
  }

  /**
   * Asks the participant with node {@code nodeName} (see {@link #participants()}) to release:
   * writes a revocation mark into its node (one {@code setData}). A waiter is told once it holds.
   * Safe to retry: a second request to the same hold is not told again.
   *
   * @return a future that completes once the request is written, or fails with {@link
   *     NoNodeException} if that node is gone (released, given up, or ended with its session)
   * @throws IllegalArgumentException if the name is not a node name, or names a participant that
   *     did not opt in to revocation (nothing is written)
   */
  public CompletableFuture<Void> requestRevocation(String nodeName) {
    Objects.requireNonNull(nodeName, "nodeName");
    if (nodeName.isEmpty() || nodeName.contains("/")) {
      throw new IllegalArgumentException("not a node name: '" + nodeName + "'");
    }
    if (!isRevocableName(NodeNames.withoutMarker(nodeName))) {
      throw new IllegalArgumentException(nodeName + " did not opt in to revocation requests");
    }
    client.checkUsable();
    return client.async().setData(Paths.join(queue.dir(), nodeName), REVOKE.clone(), -1).thenApply(stat -> null);
  }

  /**
   * The lock's participants now, in line: the holder first, then the waiters in the order they
   * will hold. One listing, so it may be stale as soon as it returns. Empty if nobody holds or waits.
   *
   * @throws InterruptedException if interrupted while waiting for the reply
   * @throws dev.cohort.spi.CoordinationException if the service could not be asked
   */
  public List<LockParticipant> participants() throws InterruptedException {
    client.checkUsable();
    CompletableFuture<List<String>> listing = client.async().getChildren(queue.dir(), null)
        .thenApply(children -> NodeNames.sortBySequence(children.names()));
    Deadline.never(client).await(listing);
    List<String> sorted;
    try {
      sorted = listing.join();
    } catch (CompletionException e) {
      Throwable cause = unwrap(e);
      if (cause instanceof NoNodeException) {
        return List.of();
      }
      throw cause instanceof RuntimeException re ? re : new IllegalStateException(cause);
    }
    List<LockParticipant> line = new ArrayList<>(sorted.size());
    for (int i = 0; i < sorted.size(); i++) {
      String name = sorted.get(i);
      line.add(new LockParticipant(name, Paths.sequenceOf(name), i == 0,
          isRevocableName(NodeNames.withoutMarker(name))));
    }
    return List.copyOf(line);
  }

  /**
   * Watches the held node for a revocation mark: reads it with a watch (a request made while it
   * waited is already there), and reads once more when its data changes. The watch goes with the
   * node when it is deleted, so nothing is left behind. Tells the listener at most once.
   */
  private void watchForRevocation(OwnedNode node, RevocationListener listener) {
    AtomicBoolean told = new AtomicBoolean();
    client.async().getData(node.path(), event -> {
      if (event.type() == WatchEvent.Type.NODE_DATA_CHANGED && !told.get()) {
        client.async().getData(node.path(), null)
            .thenAccept(data -> tellIfRequested(node, data, listener, told));
      }
    }).thenAccept(data -> tellIfRequested(node, data, listener, told));
  }

  private void tellIfRequested(OwnedNode node, NodeData data, RevocationListener listener, AtomicBoolean told) {
    if (!Arrays.equals(REVOKE, data.data()) || data.stat().czxid() != node.czxid()
        || !client.isLiveSession(node.sessionId()) || !told.compareAndSet(false, true)) {
      return;
    }
    client.listenerExecutor().execute(() -> {
      try {
        listener.revocationRequested(this, node.fencingToken());
      } catch (RuntimeException e) {
        org.slf4j.LoggerFactory.getLogger(DistributedLock.class).warn("revocation listener failed", e);
      }
    });
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
