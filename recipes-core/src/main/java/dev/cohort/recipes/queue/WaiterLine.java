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
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;

/**
 * The waiting line of a {@link WorkQueue}: how a take that found nothing waits for a job without
 * waking the whole crowd of waiting workers at every put.
 *
 * <p>Each waiting take holds an ephemeral sequential node in {@code waiters/}. The oldest waiter
 * (the head) watches where a job can appear: the list of buckets (a put that opens a new bucket),
 * each bucket it lists (a put into it; a take waits only when no bucket holds an unclaimed job, so
 * these are few), the old layout's directory while it has jobs, and the claim list too, since a
 * claim that goes with its worker's session makes a job claimable again without changing a job
 * list; and the directories of delayed jobs the last listing read, {@code delayed/} and the part
 * of its tree that is due soonest (a delayed put may come due before the one it waits for, and it
 * lands in one of those or adds a child to one).
 * A take that saw a delayed job not yet due also wakes at its due time, on the client's clock. A
 * directory that is missing (a container emptied) is watched for its creation. Every other waiter
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
  private final QueueLayout layout;
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
  /**
   * The waits of takes for their requests right now: completed at a loss of the session and at
   * close (see {@link #within}).
   */
  private final Set<CompletableFuture<Void>> requestWaits = ConcurrentHashMap.newKeySet();
  /** Counts the client's session losses; a request wait begun before a loss ends at it. */
  private final AtomicLong losses = new AtomicLong();

  WaiterLine(QueueLayout layout, ClaimWalker walker) {
    this.client = layout.client;
    this.ops = client.async();
    this.layout = layout;
    this.claims = layout.claims;
    this.waiters = layout.waiters;
    this.walker = walker;
  }

  /** One take's place in the line and the watches it holds. */
  private final class Waiter {
    OwnedNode node;
    /** Completes with true when a watch fires, false on a connection change or close. */
    volatile CompletableFuture<Boolean> wake = new CompletableFuture<>();
    /** Set when the take leaves the line; read by an arming still under way. */
    volatile boolean left;
    /** Paths where {@link #watcher} is registered and has not fired. */
    final Set<String> armed = ConcurrentHashMap.newKeySet();
    /**
     * The directories of delayed jobs the last arming watched as the head, or null if it watched
     * a predecessor: a listing since that read others arms again before waiting.
     */
    volatile List<String> delayedWatched;
    /** This take's one watcher: re-armed on the same path, it stays one registration. */
    final Watcher watcher = event -> {
      armed.remove(event.path());
      wake.complete(true);
    };

    /**
     * Leaves the line: deletes the waiter node and removes the watches still armed; waits for
     * neither. A take that got {@code job} leaves two watches to fire, since they fire soon anyway:
     * the claim list's (at this worker's own claim, or its completion at the latest) and that of the
     * job's own directory (at the completion). Every other watch a head waiter set (the bucket list,
     * other buckets) might not fire for a long time, so it is removed; a predecessor watch is left
     * to fire when that waiter leaves.
     */
    void leave(Job job) {
      left = true; // before reading armed: an arming still under way sets no watch after this
      if (!armed.isEmpty() && !client.isClosed()) {
        for (String path : armed) {
          boolean firesSoon = job != null && (path.equals(claims) || path.equals(Paths.parent(job.jobPath()))
              || path.startsWith(waiters + "/"));
          if (!firesSoon) {
            ops.removeWatches(path, watcher); // a watch that fired meanwhile makes this a no-op
          }
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
    // A take whose timeout has passed already still looks once: its one try is waited for until
    // answered, or until the session is lost or the client closed.
    Deadline requests = deadline.hasPassed() ? Deadline.never(client) : deadline;
    Waiter waiter = new Waiter();
    Job gotJob = null;
    boolean looked = false;
    try {
      while (!closed && !client.isClosed()) {
        if (looked && deadline.hasPassed()) {
          return Optional.empty();
        }
        looked = true;
        CompletableFuture<Boolean> wake = new CompletableFuture<>();
        waiter.wake = wake;
        sleepers.add(wake);
        long ended = losses.get(); // read before any request: no loss is missed
        try {
          if (waiter.node != null) {
            Boolean armed = within(requests, ended, arm(waiter), null);
            if (armed == null) {
              continue; // the deadline, a loss or a close: the loop's checks decide
            }
            if (!armed) {
              waiter.node = null; // our place in line went with a lost session: take a new one
            }
          }
          CompletableFuture<Optional<Job>> taking = walker.tryTake();
          Optional<Job> job;
          try {
            job = within(requests, ended, taking, late -> late.ifPresent(walker::giveBack));
          } catch (InterruptedException e) {
            taking.cancel(false);
            throw e;
          }
          if (job == null) {
            taking.cancel(false); // the walk stops; a claim it lands after this is given back
            continue;
          }
          if (job.isPresent()) {
            gotJob = job.get();
            return job;
          }
          if (deadline.hasPassed()) {
            return Optional.empty();
          }
          if (waiter.node == null) {
            waiter.node = within(requests, ended, ops.createProtected(waiters, QueueDecisions.WAITER_PREFIX,
                new byte[0], CreateMode.EPHEMERAL_SEQUENTIAL), ops::deleteIfOwned);
            continue;
          }
          List<String> watched = waiter.delayedWatched;
          if (watched != null && !watched.containsAll(walker.delayedRead())) {
            // The listing read directories of delayed jobs the head does not watch yet (one came
            // into being since the arming): a put into one of them must wake this take too.
            continue;
          }
          // A delayed job not yet due: look again when it is, on the client's clock.
          CompletableFuture<Void> due = dueTimer(walker.nextDueMillis());
          due.thenRun(() -> wake.complete(false));
          waitingTakes.incrementAndGet();
          try {
            if (!deadline.await(wake)) {
              return Optional.empty();
            }
          } finally {
            waitingTakes.decrementAndGet();
            due.cancel(false); // stops watching the clock
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
   * The result of {@code request}, or null if the deadline passed, the session was lost ({@code
   * ended}) or the client or this line was closed first: a take never waits on a request beyond its
   * deadline, nor on one a lost session or a closed client may never answer. A request given up on
   * still completes in the background; {@code ifLate} then disposes of what it made (a waiter node
   * to delete, a claimed job to give back). A failure is thrown as the request's.
   */
  private <T> T within(Deadline deadline, long ended, CompletableFuture<T> request, Consumer<T> ifLate)
      throws InterruptedException {
    boolean interrupted = false;
    CompletableFuture<Void> signal = new CompletableFuture<>();
    requestWaits.add(signal);
    try {
      request.whenComplete((v, e) -> signal.complete(null));
      if (closed || client.isClosed() || losses.get() != ended) {
        signal.complete(null); // closed or lost before the wait was registered
      }
      deadline.await(signal);
      if (request.isDone()) {
        return WorkQueue.await(request);
      }
    } catch (InterruptedException e) {
      interrupted = true;
    } finally {
      requestWaits.remove(signal);
    }
    if (ifLate != null) {
      request.thenAccept(ifLate); // a failed request made nothing
    }
    if (interrupted) {
      throw new InterruptedException();
    }
    return null;
  }

  /**
   * Sets the watch this waiting take keeps: on the job and claim lists if it is the oldest waiter,
   * else on the waiter before it. Completes with false if its waiter node is gone.
   */
  private CompletableFuture<Boolean> arm(Waiter waiter) {
    if (!client.isLiveSession(waiter.node.sessionId())) {
      return CompletableFuture.completedFuture(false);
    }
    return layout.childrenOrEmpty(waiters).thenCompose(line -> {
      if (!line.contains(waiter.node.name())) {
        return CompletableFuture.completedFuture(false);
      }
      Optional<String> predecessor = QueueDecisions.waiterToWatch(line, waiter.node.name());
      if (predecessor.isEmpty()) {
        List<CompletableFuture<?>> armed = new ArrayList<>();
        armed.add(watchDir(waiter, claims));
        // The delayed jobs' directories the last listing read: a put due sooner than the wake-up
        // below lands in one of them, or creates a child in one (see ClaimWalker.listDelayed).
        List<String> delayedDirs = walker.delayedRead();
        waiter.delayedWatched = delayedDirs;
        for (String dir : delayedDirs.isEmpty() ? List.of(layout.delayed) : delayedDirs) {
          armed.add(watchDir(waiter, dir));
        }
        if (!layout.legacyDrained) {
          armed.add(watchDir(waiter, layout.legacyJobs));
        }
        armed.add(watchDir(waiter, layout.pending).thenCompose(names -> {
          List<Long> buckets = QueueLayout.bucketIndexes(names);
          walker.bucketsRead(buckets);
          return CompletableFuture.allOf(buckets.stream()
              .map(b -> watchDir(waiter, layout.bucketPath(b))).toArray(CompletableFuture[]::new));
        }));
        return CompletableFuture.allOf(armed.toArray(CompletableFuture[]::new)).thenApply(ignored -> {
          walker.invalidateCandidates(); // a watch was just set: the next try must list again to miss nothing
          return true;
        });
      }
      waiter.delayedWatched = null;
      String before = Paths.join(waiters, predecessor.get());
      waiter.armed.add(before);
      if (waiter.left) {
        waiter.armed.remove(before);
        return CompletableFuture.completedFuture(true);
      }
      // getData, not exists: on a waiter already gone it sets no watch (exists would leave one on a
      // name never created again, for the life of the session).
      return ops.getData(before, waiter.watcher).handle((data, error) -> {
        if (error != null) {
          if (!(WorkQueue.unwrap(error) instanceof NoNodeException)) {
            throw new CompletionException(WorkQueue.unwrap(error));
          }
          waiter.armed.remove(before);
          waiter.wake.complete(false); // look again at once
        }
        return true;
      });
    });
  }

  /**
   * Watches {@code dir}'s children and completes with them; a missing directory is watched for its
   * creation (an exists watch) and reads as empty.
   */
  private CompletableFuture<List<String>> watchDir(Waiter waiter, String dir) {
    waiter.armed.add(dir); // before the registration, so that the watch firing un-arms it
    if (waiter.left) {
      // The take left the line while this arming went on: a watch set now would be nobody's.
      waiter.armed.remove(dir);
      return CompletableFuture.completedFuture(List.of());
    }
    return ops.getChildren(dir, waiter.watcher).handle((children, error) -> {
      if (error == null) {
        registered(waiter, dir);
        return CompletableFuture.completedFuture(children.names());
      }
      Throwable cause = WorkQueue.unwrap(error);
      if (!(cause instanceof NoNodeException)) {
        return CompletableFuture.<List<String>>failedFuture(cause);
      }
      return ops.exists(dir, waiter.watcher).thenApply(stat -> {
        if (stat != null) {
          // Created meanwhile: the exists call left a watch on its data, which would fire only at
          // its removal. Take it back and look again at once.
          waiter.armed.remove(dir);
          ops.removeWatches(dir, waiter.watcher);
          waiter.wake.complete(false);
        } else {
          registered(waiter, dir);
        }
        return List.<String>of();
      });
    }).thenCompose(f -> f);
  }

  /**
   * The watch on {@code dir} is registered (its reply came). Removed at once if the take left
   * meanwhile; else marked armed again, so that {@link Waiter#leave} removes it: an event of an
   * earlier registration on {@code dir}, delivered after this one was sent and before its reply,
   * un-armed the path while this registration stands (events and replies come in order).
   */
  private void registered(Waiter waiter, String dir) {
    if (waiter.left) {
      ops.removeWatches(dir, waiter.watcher); // the take left while this was sent
    } else {
      waiter.armed.add(dir);
      if (waiter.left) {
        ops.removeWatches(dir, waiter.watcher); // left just now: its leave may not have seen it
      }
    }
  }

  /** Completes when {@code dueMillis} (epoch millis on the client's clock) comes; never for {@code Long.MAX_VALUE}. */
  private CompletableFuture<Void> dueTimer(long dueMillis) {
    if (dueMillis == Long.MAX_VALUE) {
      return new CompletableFuture<>();
    }
    long wait = Math.max(0, dueMillis - client.timeSource().epochMillis());
    return Deadline.after(client, Duration.ofMillis(wait)).expiry();
  }

  /** Wakes every waiting take: they look again (after a reconnect, or to end on close). */
  void wakeAll() {
    for (CompletableFuture<Boolean> f : sleepers) {
      f.complete(false);
    }
  }

  /**
   * The client lost its session (or was closed): takes stop waiting for requests sent on it, which
   * may never be answered, and look again on the next session, or end.
   */
  void sessionLost() {
    losses.incrementAndGet();
    endRequestWaits();
    wakeAll();
  }

  void close() {
    closed = true;
    endRequestWaits();
    wakeAll();
  }

  private void endRequestWaits() {
    for (CompletableFuture<Void> f : requestWaits) {
      f.complete(null);
    }
  }

  /** Takes waiting for an answer to a request of theirs right now. */
  int takesAwaitingRequests() {
    return requestWaits.size();
  }

  int waitingTakes() {
    return waitingTakes.get();
  }

  long watchWakeUps() {
    return watchWakeUps.get();
  }
}
