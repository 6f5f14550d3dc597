package dev.cohort.recipes.locks;

import dev.cohort.recipes.Cohort;
import dev.cohort.recipes.NodeNames;
import dev.cohort.recipes.OwnedNode;
import dev.cohort.spi.Children;
import dev.cohort.spi.ConnectionLossException;
import dev.cohort.spi.CoordinationException;
import dev.cohort.spi.CreateMode;
import dev.cohort.spi.NoNodeException;
import dev.cohort.spi.Paths;
import dev.cohort.spi.Stat;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Predicate;

/**
 * The queue every lock-like recipe stands in: a protected ephemeral-sequential node under one
 * directory, a pure decision over the sorted children, and a watch on the one node the decision
 * names.
 *
 * <p>The calling thread drives the loop: create its node and list the directory (both sent at
 * once: the session applies them in order, so the listing contains the node), decide, and either
 * return or watch the predecessor and park until that watch fires. The uncontended path is
 * therefore one create and one getChildren, with a single wait for both.
 *
 * <p>A waiter that was right behind the holder in its last listing takes over without listing
 * again: when the watched predecessor is deleted, the nodes before ours can only have become fewer
 * (every later node gets a higher sequence), and every decision here only looks at the nodes before
 * ours and only grants more as they go. So the engine first decides on its last listing minus the
 * deleted predecessor; if that already grants the lock, it holds without another round trip.
 * Otherwise (it queued behind several others, or a waiter in between gave up) it lists again. This relies on
 * lock nodes being deleted only by their owners or with their sessions, as every lock recipe on
 * this model does: a node deleted by a third party breaks mutual exclusion whether it was held or
 * waiting, and only the fencing tokens still protect the resource then.
 *
 * <p>An {@linkplain #exclusive exclusive} engine (one holder at a time, so a holder is always the
 * first node) also lets a waiter anywhere in the queue take over without a listing. Its holders
 * release with {@link dev.cohort.recipes.AsyncOps#deleteIfOwned(OwnedNode, byte[])}: one multi that
 * marks the node's data and deletes it, so the waiter's watch fires with a data change. A plain
 * deletion (a waiter giving up, a session ending) fires NODE_DELETED instead. A data change on the
 * watched node therefore means: it was released by a holder, which was first, so every node before
 * ours is gone, and the waiter holds. Nothing else writes a lock node's data on an exclusive engine;
 * the read-write lock, whose writers mark a downgrade in their node's data, uses a plain engine.
 * Late delivery does not change the meaning: a data change on the watched node is a holder's
 * release whenever it arrives, and a ZooKeeper client that re-registers its watch after a
 * reconnect, for a node released meanwhile, is told NODE_DELETED and lists.
 * The mark costs a multi where a delete would do, so a holder sends it only if it met contention
 * (it waited, or its listing showed other nodes); a waiter that queued behind an uncontended holder
 * sees a plain deletion and lists once, as without the mark.
 *
 * <p>Cleanup invariant: when {@link #acquire} returns without a node (timeout) or throws, the node
 * it created, or the create still in flight, is deleted in the background, conditionally on being
 * ours. If the session is lost while waiting, the node went with it, and the loop starts over on
 * the next session within the same deadline.
 */
final class LockEngine {

  /** A pure decision over the sorted children. */
  @FunctionalInterface
  interface Decider {
    LockDecisions.Decision decide(List<String> sorted, String ours);
  }

  /** The data a holder of an exclusive engine writes into its node as it deletes it. */
  private static final byte[] RELEASED = {'r'};

  private final Cohort client;
  private final String dir;
  /** Whether every holder is the first node of the queue, and releases with a data change. */
  private final boolean exclusive;
  /** Paths of the nodes held now that met contention: their release marks them (exclusive only). */
  private final Set<String> contended = ConcurrentHashMap.newKeySet();
  /** Times a waiting thread of this engine was woken by its watch or a session loss. */
  private final AtomicLong wakeups = new AtomicLong();
  /** Threads of this engine parked on a watch right now. */
  private final java.util.concurrent.atomic.AtomicInteger parked = new java.util.concurrent.atomic.AtomicInteger();

  /** An engine whose deciders may grant several holders at once (the read-write lock). */
  LockEngine(Cohort client, String dir) {
    this(client, dir, false);
  }

  private LockEngine(Cohort client, String dir, boolean exclusive) {
    this.client = client;
    Paths.validate(dir); // relative to the namespace, and itself a valid absolute path
    this.dir = dir;
    this.exclusive = exclusive;
  }

  /**
   * An engine used only with {@link LockDecisions#exclusive}: its holders release with a data
   * change, and its waiters take over on one (see the class comment).
   */
  static LockEngine exclusive(Cohort client, String dir) {
    return new LockEngine(client, dir, true);
  }

  /** Releases a node this engine granted, in the background. */
  void release(OwnedNode node) {
    if (contended.remove(node.path())) {
      client.async().deleteIfOwned(node, RELEASED);
    } else {
      client.async().deleteIfOwned(node);
    }
  }

  String dir() {
    return dir;
  }

  long wakeups() {
    return wakeups.get();
  }

  int parked() {
    return parked.get();
  }

  /**
   * A deadline for {@link #acquire} that means "do the round trips, but do not wait for another
   * holder": a try-lock.
   */
  static final long NO_WAIT = Long.MIN_VALUE;

  /** The deadline {@code timeoutNanos} from now, or {@link Long#MAX_VALUE} for a negative timeout. */
  long deadline(long timeoutNanos) {
    if (timeoutNanos < 0) {
      return Long.MAX_VALUE;
    }
    long now = client.timeSource().nanoTime();
    return now + Math.min(timeoutNanos, Long.MAX_VALUE / 4);
  }

  /**
   * Queues a node named {@code name} and waits until {@code decider} says it holds.
   *
   * @return our node, or null if the deadline passed first
   */
  OwnedNode acquire(String name, byte[] data, Decider decider, long deadline) throws InterruptedException {
    return acquire(name, data, decider, deadline, null);
  }

  /**
   * As {@link #acquire(String, byte[], Decider, long)}, but a node the decision says to watch is
   * looked past (left out of later decisions) when {@code passThrough} accepts its stat: how a
   * reader passes a writer that has downgraded to a read hold.
   */
  OwnedNode acquire(String name, byte[] data, Decider decider, long deadline, Predicate<Stat> passThrough)
      throws InterruptedException {
    Set<String> passed = new HashSet<>();
    boolean waited = false;
    OwnedNode node = null;
    CompletableFuture<OwnedNode> creating = null;
    boolean acquired = false;
    try {
      while (true) {
        try {
          List<String> sorted;
          if (node == null || !client.isLiveSession(node.sessionId())) {
            node = null;
            if (!awaitConnected(deadline)) {
              return null;
            }
            creating = client.async().createProtected(dir, name, data, CreateMode.EPHEMERAL_SEQUENTIAL);
            CompletableFuture<Children> listing = client.async().getChildren(dir, null);
            node = await(creating, deadline);
            creating = null;
            sorted = sortedOrNull(listing, deadline);
            if (sorted == null || !sorted.contains(node.name())) {
              // the directory was created by our own create, or a retry made the node later
              sorted = list(deadline);
            }
          } else {
            sorted = list(deadline);
          }
          if (!passed.isEmpty()) {
            sorted = sorted.stream().filter(n -> !passed.contains(n)).toList();
          }
          LockDecisions.Decision decision = decider.decide(sorted, node.name());
          if (decision instanceof LockDecisions.Acquired) {
            acquired = true;
            return granted(node, waited || sorted.size() > 1);
          } else if (decision instanceof LockDecisions.NodeMissing) {
            node = null;
          } else if (decision instanceof LockDecisions.WatchPredecessor w) {
            WaitResult result = waitFor(Paths.join(dir, w.name()), deadline, passThrough);
            waited = true;
            if (result == WaitResult.DEADLINE) {
              return null;
            } else if (result == WaitResult.PASS) {
              passed.add(w.name());
            } else if (result == WaitResult.DELETED && client.isLiveSession(node.sessionId())
                && decider.decide(without(sorted, w.name()), node.name()) instanceof LockDecisions.Acquired) {
              // Granted on what we know, without a listing; see the class comment.
              acquired = true;
              return granted(node, true);
            } else if (result == WaitResult.RELEASED && exclusive && client.isLiveSession(node.sessionId())
                && decider.decide(after(sorted, w.name()), node.name()) instanceof LockDecisions.Acquired) {
              // Released by a holder, which was first: it and every node before it are gone.
              acquired = true;
              return granted(node, true);
            }
          }
        } catch (ConnectionLossException e) {
          // retries ran out while the connection was down: wait for it within the deadline
          if (!awaitConnected(deadline)) {
            return null;
          }
        } catch (CoordinationException e) {
          if (!e.isSessionGone()) {
            throw e;
          }
          node = null;
        }
      }
    } catch (TimedOut e) {
      return null;
    } finally {
      if (!acquired) {
        cleanUp(node, creating);
      }
    }
  }

  /** Our node, now holding; remembers whether its release should carry the mark. */
  private OwnedNode granted(OwnedNode node, boolean metContention) {
    if (exclusive && metContention) {
      contended.add(node.path());
    }
    return node;
  }

  private static List<String> without(List<String> sorted, String gone) {
    return sorted.stream().filter(n -> !n.equals(gone)).toList();
  }

  /** The nodes after {@code released}: those it and the ones before it are gone. */
  private static List<String> after(List<String> sorted, String released) {
    return sorted.subList(sorted.indexOf(released) + 1, sorted.size());
  }

  /** How a wait for the watched node ended. */
  private enum WaitResult { CHANGED, DELETED, RELEASED, PASS, DEADLINE }

  /**
   * Watches {@code path} and waits until it changes: DELETED once it was deleted (or was already
   * gone), RELEASED once its data changed (on an exclusive engine: a holder's release), CHANGED once
   * anything else woke the wait (the loss of the session), PASS
   * at once if {@code passThrough} accepts its stat (the decision may then look past it), DEADLINE
   * if the deadline passed first.
   */
  private WaitResult waitFor(String path, long deadline, Predicate<Stat> passThrough)
      throws InterruptedException, TimedOut {
    if (deadline == NO_WAIT) {
      Stat stat = await(client.async().exists(path, null), deadline);
      return stat == null ? WaitResult.DELETED
          : passThrough != null && passThrough.test(stat) ? WaitResult.PASS : WaitResult.DEADLINE;
    }
    Waiter waiter = new Waiter();
    client.addConnectionStateListener(waiter);
    try {
      Stat stat = deadline == Long.MAX_VALUE
          ? client.blocking().exists(path, waiter) // one hand-off less, as in list()
          : await(client.async().exists(path, waiter), deadline);
      if (stat == null) {
        return WaitResult.DELETED;
      }
      if (passThrough != null && passThrough.test(stat)) {
        return WaitResult.PASS;
      }
      parked.incrementAndGet();
      boolean woken;
      try {
        woken = waiter.await(client.timeSource(), deadline);
      } finally {
        parked.decrementAndGet();
      }
      if (woken) {
        wakeups.incrementAndGet();
      }
      if (!woken) {
        return WaitResult.DEADLINE;
      }
      return waiter.sawDeletion() ? WaitResult.DELETED
          : waiter.sawDataChange() ? WaitResult.RELEASED : WaitResult.CHANGED;
    } finally {
      client.removeConnectionStateListener(waiter);
    }
  }

  /**
   * The directory's children, sorted. Without a deadline the blocking form is used: a backend whose
   * client library answers a blocking call on the caller's thread saves a thread hand-off on the
   * way back (the listing after a wake-up is on every contended handoff's path).
   */
  private List<String> list(long deadline) throws InterruptedException, TimedOut {
    Children children = deadline == Long.MAX_VALUE
        ? client.blocking().getChildren(dir, null)
        : await(client.async().getChildren(dir, null), deadline);
    return NodeNames.sortBySequence(children.names());
  }

  private List<String> sortedOrNull(CompletableFuture<Children> listing, long deadline)
      throws InterruptedException, TimedOut {
    try {
      return NodeNames.sortBySequence(await(listing, deadline).names());
    } catch (NoNodeException e) {
      return null;
    }
  }

  private void cleanUp(OwnedNode node, CompletableFuture<OwnedNode> creating) {
    if (node != null) {
      client.async().deleteIfOwned(node);
    } else if (creating != null) {
      // We stopped waiting for a create that may still succeed: delete its node when it does.
      creating.thenAccept(late -> client.async().deleteIfOwned(late));
    }
  }

  private boolean awaitConnected(long deadline) throws InterruptedException {
    if (client.isClosed()) {
      throw new IllegalStateException("client is closed");
    }
    if (client.connectionState() != null && client.connectionState().isConnected()) {
      return true;
    }
    if (deadline == NO_WAIT) {
      return false;
    }
    long remaining = deadline == Long.MAX_VALUE ? Long.MAX_VALUE : deadline - client.timeSource().nanoTime();
    return remaining > 0 && client.awaitConnected(java.time.Duration.ofNanos(remaining));
  }


  /** Waits for {@code future} until the deadline; rethrows its failure unchecked. */
  <T> T await(CompletableFuture<T> future, long deadline) throws InterruptedException, TimedOut {
    try {
      if (deadline == Long.MAX_VALUE || deadline == NO_WAIT) {
        return future.get();
      }
      long remaining = deadline - client.timeSource().nanoTime();
      if (remaining <= 0 && !future.isDone()) {
        throw TimedOut.INSTANCE;
      }
      return future.get(Math.max(remaining, 0), TimeUnit.NANOSECONDS);
    } catch (ExecutionException e) {
      Throwable cause = e.getCause();
      if (cause instanceof RuntimeException re) {
        throw re;
      }
      throw new IllegalStateException(cause);
    } catch (TimeoutException e) {
      throw TimedOut.INSTANCE;
    }
  }

  /** The deadline passed while waiting for a reply. */
  static final class TimedOut extends Exception {
    private static final long serialVersionUID = 1L;
    static final TimedOut INSTANCE = new TimedOut();

    private TimedOut() {
      super("deadline passed", null, false, false);
    }
  }
}
