package dev.cohort.recipes.queue;

import dev.cohort.recipes.AsyncOps;
import dev.cohort.recipes.Cohort;
import dev.cohort.recipes.Deadline;
import dev.cohort.recipes.OwnedNode;
import dev.cohort.spi.CreateMode;
import dev.cohort.spi.NoNodeException;
import dev.cohort.spi.Paths;
import dev.cohort.spi.Watcher;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The waiting line of a {@link WorkQueue}: how a take that found nothing waits for a job without
 * waking the whole crowd of waiting workers at every put.
 *
 * <p>Each waiting take holds an ephemeral sequential node in {@code waiters/}. The oldest waiter
 * (the head) watches the job list, and the claim list too, since a claim that goes with its
 * worker's session makes a job claimable again without changing the job list; every other waiter
 * watches the waiter just before it, with a read that sets no watch when that waiter is already
 * gone. A put therefore wakes the head, and a waiter that leaves the line wakes the one behind it.
 *
 * <p>Watches are resources of the service: each take watches with a watcher of its own, remembers
 * the paths where it is registered and has not fired, and removes those when it leaves the line
 * without a job (timeout, interrupt, close); see {@link Waiter#leave}. Waits follow the client's
 * clock ({@link Deadline}).
 *
 * <p>Thread-safe.
 */
final class WaiterLine {
  private final Cohort client;
  private final AsyncOps ops;
  private final String jobs;
  private final String claims;
  private final String waiters;
  private final ClaimWalker walker;

  /** The wake-up of every take currently in the line; woken on connection changes and close. */
  private final Set<CompletableFuture<Boolean>> sleepers = ConcurrentHashMap.newKeySet();
  /** Blocked takes released by a watch (not by a timeout or a connection change); the herd test counts them. */
  private final AtomicLong watchWakeUps = new AtomicLong();
  /** Takes blocked waiting for a wake-up right now. */
  private final AtomicInteger waitingTakes = new AtomicInteger();
  private volatile boolean closed;

  WaiterLine(Cohort client, String jobs, String claims, String waiters, ClaimWalker walker) {
    this.client = client;
    this.ops = client.async();
    this.jobs = jobs;
    this.claims = claims;
    this.waiters = waiters;
    this.walker = walker;
  }

  /** One take's place in the line and the watches it holds. */
  private final class Waiter {
    OwnedNode node;
    /** Completes with true when a watch fires, false on a connection change or close. */
    volatile CompletableFuture<Boolean> wake = new CompletableFuture<>();
    /** Paths where {@link #watcher} is registered and has not fired. */
    final Set<String> armed = ConcurrentHashMap.newKeySet();
    /** This take's one watcher: re-armed on the same path, it stays one registration. */
    final Watcher watcher = event -> {
      armed.remove(event.path());
      wake.complete(true);
    };

    /**
     * Leaves the line: deletes the waiter node and, for a take that ends without a job (timeout,
     * interrupt, close, failure), removes the watches still armed; waits for neither. A take that
     * got a job leaves its watches to fire: the job and claim list watches fire at this worker's own
     * claim or completion at the latest, and a predecessor watch when that waiter leaves, so none
     * outlives the moment it is consumed, and the common path sends nothing more.
     */
    void leave(boolean gotJob) {
      if (!gotJob && !armed.isEmpty() && !client.isClosed()) {
        for (String path : armed) {
          ops.removeWatches(path, watcher); // a watch that fired meanwhile makes this a no-op
        }
      }
      armed.clear();
      if (node != null) {
        ops.deleteIfOwned(node);
      }
    }
  }

  /** See {@link WorkQueue#take}. */
  Optional<Job> take(Duration timeout) throws InterruptedException {
    Deadline deadline = Deadline.after(client, timeout);
    Waiter waiter = new Waiter();
    boolean gotJob = false;
    try {
      while (!closed) {
        CompletableFuture<Boolean> wake = new CompletableFuture<>();
        waiter.wake = wake;
        sleepers.add(wake);
        try {
          if (waiter.node != null && !arm(waiter)) {
            waiter.node = null; // our place in line went with a lost session: take a new one
          }
          Optional<Job> job = WorkQueue.await(walker.tryTake());
          if (job.isPresent()) {
            gotJob = true;
            return job;
          }
          if (waiter.node == null) {
            waiter.node = WorkQueue.await(ops.createProtected(waiters, QueueDecisions.WAITER_PREFIX, new byte[0],
                CreateMode.EPHEMERAL_SEQUENTIAL));
            continue;
          }
          if (deadline.hasPassed()) {
            return Optional.empty();
          }
          waitingTakes.incrementAndGet();
          try {
            if (!deadline.await(wake)) {
              return Optional.empty();
            }
          } finally {
            waitingTakes.decrementAndGet();
          }
          if (wake.getNow(false)) {
            watchWakeUps.incrementAndGet();
          }
        } finally {
          sleepers.remove(wake);
        }
      }
      return Optional.empty();
    } finally {
      waiter.leave(gotJob);
    }
  }

  /**
   * Sets the watch this waiting take keeps: on the job and claim lists if it is the oldest waiter,
   * else on the waiter before it. Returns false if its waiter node is gone.
   */
  private boolean arm(Waiter waiter) throws InterruptedException {
    if (!client.isLiveSession(waiter.node.sessionId())) {
      return false;
    }
    List<String> line = WorkQueue.await(ops.getChildren(waiters, null)).names();
    if (!line.contains(waiter.node.name())) {
      return false;
    }
    Optional<String> predecessor = QueueDecisions.waiterToWatch(line, waiter.node.name());
    if (predecessor.isEmpty()) {
      waiter.armed.add(jobs); // before the registration, so that the watch firing un-arms it
      waiter.armed.add(claims);
      CompletableFuture<?> claimsArmed = ops.getChildren(claims, waiter.watcher);
      WorkQueue.await(ops.getChildren(jobs, waiter.watcher));
      WorkQueue.await(claimsArmed);
      walker.invalidateCandidates(); // a watch was just set: the next try must list again to miss nothing
    } else {
      String before = Paths.join(waiters, predecessor.get());
      waiter.armed.add(before);
      try {
        // getData, not exists: on a waiter already gone it sets no watch (exists would leave one
        // on a name never created again, for the life of the session).
        WorkQueue.await(ops.getData(before, waiter.watcher));
      } catch (NoNodeException gone) {
        waiter.armed.remove(before);
        waiter.wake.complete(false); // look again at once
      }
    }
    return true;
  }

  /** Wakes every waiting take: they look again (after a reconnect, or to end on close). */
  void wakeAll() {
    for (CompletableFuture<Boolean> f : sleepers) {
      f.complete(false);
    }
  }

  void close() {
    closed = true;
    wakeAll();
  }

  int waitingTakes() {
    return waitingTakes.get();
  }

  long watchWakeUps() {
    return watchWakeUps.get();
  }
}
