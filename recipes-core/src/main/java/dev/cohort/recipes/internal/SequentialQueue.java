package dev.cohort.recipes.internal;

import dev.cohort.recipes.Cohort;
import dev.cohort.recipes.Deadline;
import dev.cohort.recipes.OwnedNode;
import dev.cohort.recipes.locks.LockDecisions;
import dev.cohort.spi.Paths;
import dev.cohort.spi.Stat;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Predicate;

/**
 * The sequential-queue protocol behind every lock-like recipe (locks, the semaphore's gate, leader
 * election), in one place: a protected ephemeral-sequential node under one directory, a pure
 * decision over the sorted children, and a watch on the one node the decision names.
 *
 * <p>Each contender is a {@link Place}: an asynchronous, cancellable state machine whose {@link
 * Place#granted()} future completes when the decision grants it. Locks block on that future through
 * a {@link Deadline} ({@link #acquire}); the leader latch subscribes to it. A place that gives up
 * ({@link Place#cancel()}) removes the watch it set and deletes its node, so nothing it set is left
 * on the service.
 *
 * <h2>The protocol</h2>
 * <ul>
 *   <li>Queue: the create and a listing are sent at once (the session applies them in order, so the
 *       listing contains the node): the uncontended path is one create and one getChildren.</li>
 *   <li>Watch: the predecessor is watched with {@code getData}, which sets no watch when the node is
 *       already gone (an {@code exists} watch on a missing name would stay registered for the life
 *       of the session, since the name is never created again).</li>
 *   <li>Take over without listing: when the watched predecessor is deleted, the nodes before ours
 *       can only have become fewer (every later node gets a higher sequence), and every decision
 *       here looks only at the nodes before ours and grants more as they go. So the place first
 *       decides on its last listing minus the deleted predecessor, and lists again only if that
 *       does not grant. This relies on queue nodes being deleted only by their owners or with their
 *       sessions.</li>
 *   <li>Flat in the queue's length: a place of an exclusive queue ({@link #EXCLUSIVE}) reads a
 *       listing in one pass, without sorting it, and keeps only its predecessor and how many nodes
 *       were before its own; its wake-ups then cost the same whatever the length. The listing read
 *       as it queues holds every node, and is the one cost that grows with the queue.</li>
 *   <li>Marked release: on a {@linkplain #SequentialQueue(Cohort, String, boolean) marked} queue
 *       (one holder at a time, so a holder is always first) a holder that met contention releases
 *       with one multi that sets its node's data and deletes it ({@link
 *       dev.cohort.recipes.AsyncOps#deleteIfOwned(OwnedNode, byte[])}); the waiter's watch then
 *       fires with a data change, which means "released by the holder, so every node before mine
 *       is gone": it holds without listing. A plain deletion (a waiter giving up, a session ending)
 *       fires NODE_DELETED and leads to the step above. Nothing else writes a node's data on a
 *       marked queue.</li>
 *   <li>Herd-freedom: each place watches one node, so a release wakes one waiter.</li>
 *   <li>Sessions: when the session is lost while waiting, the node went with it; the place queues
 *       again on the next session. A failure that leaves the connection down makes it wait for the
 *       reconnect and then list again. Any other failure fails {@link Place#granted()}.</li>
 * </ul>
 */
public final class SequentialQueue {

  /** A pure decision over the sorted children. */
  @FunctionalInterface
  public interface Decider {
    LockDecisions.Decision decide(List<String> sorted, String ours);
  }

  /**
   * {@link LockDecisions#exclusive}, as the one decider object a place recognises: a place given it
   * (and no pass-through) decides in one pass over the listing, without sorting it, and keeps only
   * its predecessor and how many nodes were before its own, so that a wake-up costs the same at any
   * length of the queue. Pass it rather than a method reference of {@code exclusive}.
   */
  public static final Decider EXCLUSIVE = LockDecisions::exclusive;

  /** The data a holder of a marked queue writes into its node as it deletes it. */
  static final byte[] RELEASED = {'r'};

  final Cohort client;
  final String dir;
  /** Whether every holder is the first node, and releases with a data change. */
  final boolean marked;
  /** Times a place of this queue was woken by its watch or a session loss. */
  final AtomicLong wakeups = new AtomicLong();
  /** Places of this queue waiting on a watch right now. */
  final AtomicInteger parked = new AtomicInteger();
  /**
   * Which nodes' data others may write (by name without the protection marker): a data change of
   * such a predecessor is not taken as a marked release.
   */
  final Predicate<String> writableByOthers;
  /** Which releases wait to join this client's next acquire here; null unless {@link #joinReleases}. */
  volatile ReleaseJoiner joiner;

  /**
   * A queue at {@code dir}.
   *
   * @param marked whether only one node holds at a time (the first) and a holder's release marks
   *     its node (see the class comment); false for queues whose nodes' data others may change
   * @throws dev.cohort.spi.InvalidPathException if {@code dir} is invalid
   */
  public SequentialQueue(Cohort client, String dir, boolean marked) {
    this(client, dir, marked, name -> false);
  }

  /**
   * A queue at {@code dir} whose nodes named as {@code writableByOthers} accepts (tested on the
   * name without its protection marker) may have their data written by other clients while queued
   * or holding, as a lock's revocation requests do. On a marked queue, a data change of such a
   * predecessor is not taken as its holder's release: the waiter behind it lists again instead.
   * Holders of such nodes must release without the mark ({@link Place#release(boolean)}).
   *
   * @throws dev.cohort.spi.InvalidPathException if {@code dir} is invalid
   */
  public SequentialQueue(Cohort client, String dir, boolean marked, Predicate<String> writableByOthers) {
    this.client = client;
    Paths.validate(dir); // relative to the namespace, and itself a valid absolute path
    this.dir = dir;
    this.marked = marked;
    this.writableByOthers = java.util.Objects.requireNonNull(writableByOthers, "writableByOthers");
  }

  /**
   * Lets a release here ({@link Place#release()}) be held back for the client's write-join window,
   * to go in one transaction with the next place this client queues here ({@link
   * dev.cohort.recipes.AsyncOps#deleteIfOwnedJoinable}). Only for a marked queue; a holder whose
   * node others may write releases with {@link Place#release(boolean)}, which is never held back.
   * Does nothing on a client whose window is zero. Returns this queue.
   */
  public SequentialQueue joinReleases() {
    if (!marked) {
      throw new IllegalStateException("only a marked queue's releases can be joined");
    }
    if (!client.writeJoinWindow().isZero()) { // the window is fixed with the client
      joiner = new ReleaseJoiner(client);
    }
    return this;
  }

  public String dir() {
    return dir;
  }

  /** Times a waiting place was woken; for herd tests. */
  public long wakeups() {
    return wakeups.get();
  }

  /** Places waiting on a watch right now; for herd tests. */
  public int parked() {
    return parked.get();
  }

  /**
   * Queues a node named {@code name} and starts deciding. Returns at once.
   *
   * @param passThrough a predecessor whose stat it accepts is looked past (left out of later
   *     decisions): how a reader passes a writer that downgraded; null for none
   * @param tryOnce whether to give up (complete {@link Place#granted()} with null) instead of
   *     waiting for a predecessor that is still there, or for a connection that is down
   */
  public Place join(String name, byte[] data, Decider decider, Predicate<Stat> passThrough, boolean tryOnce) {
    Place place = new Place(this, name, data, decider, passThrough, tryOnce, carried());
    place.begin();
    return place;
  }

  /** The release an acquire beginning now carries, or null (see {@link ReleaseJoiner}). */
  private OwnedNode carried() {
    ReleaseJoiner j = joiner;
    return j == null ? null : j.acquiring();
  }

  /**
   * Queues and blocks until granted or until {@code deadline}; a place that does not get it within
   * the deadline, or whose wait is interrupted, is cancelled (its watch removed and its node
   * deleted) before this returns or throws.
   *
   * @param tryOnce see {@link #join}
   * @return the granted place, or null if the deadline passed first or a try found it taken
   */
  public Place acquire(String name, byte[] data, Decider decider, Predicate<Stat> passThrough, Deadline deadline,
      boolean tryOnce) throws InterruptedException {
    OwnedNode released = carried();
    // An untimed acquire waits for the reply anyway: it sends the carrying create on this thread.
    boolean onThisThread = released != null && deadline.isNever();
    Place place = new Place(this, name, data, decider, passThrough, tryOnce, onThisThread ? null : released);
    if (onThisThread) {
      place.beginReplacing(released);
    } else {
      place.begin();
    }
    boolean done;
    try {
      done = deadline.await(place.granted());
    } catch (InterruptedException e) {
      if (!place.cancel()) {
        place.releaseIfGranted(); // granted as we were interrupted: give it back
      }
      throw e;
    }
    if (!done && place.cancel()) {
      return null;
    }
    // done, or granted (or failed) between the deadline and the cancel
    return place.awaitOutcome() == null ? null : place;
  }

  /**
   * Whether {@code node} still exists and is owned by the client's current session: what a holder
   * checks after a reconnect before it trusts its hold again. Completes with false when the
   * session changed; fails when the service could not be asked.
   */
  public static CompletableFuture<Boolean> stillOwned(Cohort client, OwnedNode node) {
    if (!client.isLiveSession(node.sessionId())) {
      return CompletableFuture.completedFuture(false);
    }
    return client.async().exists(node.path(), null).thenApply(stat -> stat != null
        && stat.czxid() == node.czxid() && stat.ephemeralOwner() == node.sessionId()
        && client.isLiveSession(node.sessionId()));
  }

  /** The cause of a failed future's exception. */
  static Throwable unwrap(Throwable t) {
    while ((t instanceof CompletionException || t instanceof ExecutionException) && t.getCause() != null) {
      t = t.getCause();
    }
    return t;
  }
}
