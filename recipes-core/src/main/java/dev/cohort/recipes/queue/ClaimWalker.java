package dev.cohort.recipes.queue;

import dev.cohort.recipes.AsyncOps;
import dev.cohort.recipes.Cohort;
import dev.cohort.recipes.FencingToken;
import dev.cohort.spi.BadVersionException;
import dev.cohort.spi.CreateMode;
import dev.cohort.spi.NoNodeException;
import dev.cohort.spi.NodeExistsException;
import dev.cohort.spi.Op;
import dev.cohort.spi.OpResult;
import dev.cohort.spi.Paths;
import dev.cohort.spi.Stat;
import java.nio.ByteBuffer;
import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.ReentrantLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * How a {@link WorkQueue} instance finds and claims a job without waiting: it walks the candidates
 * of its last listing and claims the first it can, and it adopts a claim of its own whose reply was
 * lost.
 *
 * <p>A claim is one transaction: rewrite the job node at the version just read (bumping it) and
 * create the ephemeral claim node, whose data is a token no other claim attempt writes. A retried
 * claim whose first attempt went through meets NodeExists or BadVersion; the claim node then
 * carries this attempt's token, and the job is adopted. When the claim node cannot be read to tell,
 * the job is remembered as {@linkplain #unsettled unsettled} and the next take settles it first.
 *
 * <p>Thread-safe.
 */
final class ClaimWalker {
  private static final Logger log = LoggerFactory.getLogger(ClaimWalker.class);

  /** Candidates tried in a row on the caller's stack before hopping to an executor. */
  private static final int MAX_SYNC_DEPTH = 32;
  private static final AtomicLong CLAIM_COUNTER = new AtomicLong();

  private final Cohort client;
  private final AsyncOps ops;
  private final String path;
  private final String jobs;
  private final String claims;
  private final int spread;
  private final long salt;
  /** The client's event listener, or null. */
  private final dev.cohort.recipes.CohortEvents events;

  /**
   * Claims that may be this instance's but could not be read to tell (see {@link #adoptIfOurs}),
   * by job name. A claim of ours that nobody looks at again would hold its job, unprocessed, for as
   * long as the session lives; so the next take settles these first.
   */
  private final Map<String, Unsettled> unsettled = new ConcurrentHashMap<>();

  /** What a claim attempt knew when it could not tell whether its claim went through. */
  private record Unsettled(byte[] payload, int attempts, byte[] token, long session) {}

  /**
   * Jobs claimed for a take that had stopped waiting (its deadline passed, it was interrupted, or
   * it gave up at a loss of the session) before the claim's reply came: the next take returns one
   * of them first, and {@link #releaseParked} gives them back at close. A claim nobody hands back
   * would hold its job, unprocessed, for as long as the session lives.
   */
  private final java.util.Queue<Job> parked = new java.util.concurrent.ConcurrentLinkedQueue<>();

  private final ReentrantLock lock = new ReentrantLock();
  /** Guarded by lock: jobs to try next, from the last listing. Stale entries fail fast. */
  private final ArrayDeque<String> candidates = new ArrayDeque<>();
  /** Candidates tried that were gone or claimed by someone else; the stale-listing test counts them. */
  private final AtomicLong claimMisses = new AtomicLong();
  /** Job listings read by takes. */
  private final AtomicLong listingsRead = new AtomicLong();

  ClaimWalker(Cohort client, String path, String jobs, String claims, int spread, long salt) {
    this.client = client;
    this.ops = client.async();
    this.path = path;
    this.jobs = jobs;
    this.claims = claims;
    this.spread = spread;
    this.salt = salt;
    this.events = client.events().orElse(null);
  }

  /** Claims the oldest job it can without waiting, or completes empty; completes on a backend thread. */
  CompletableFuture<Optional<Job>> tryTake() {
    Job late;
    while ((late = parked.poll()) != null) {
      if (client.isLiveSession(late.claimSession())) {
        return CompletableFuture.completedFuture(Optional.of(late));
      } // else its claim went with its session
    }
    CompletableFuture<Optional<Job>> result = new CompletableFuture<>();
    String name = unsettled.keySet().stream().findFirst().orElse(null);
    Unsettled maybe = name == null ? null : unsettled.remove(name);
    if (maybe == null) {
      nextCandidate(result, 0, 0, 0);
    } else if (!client.isLiveSession(maybe.session())) {
      nextCandidate(result, 0, 0, 0); // that claim, if it was ours, ended with its session
    } else {
      adoptIfOurs(name, maybe.payload(), maybe.attempts(), maybe.token(), maybe.session()).whenComplete((job, error) -> {
        if (job != null) {
          result.complete(Optional.of(job));
        } else {
          nextCandidate(result, 0, 0, 0);
        }
      });
    }
    return result;
  }

  /** Keeps {@code job}, claimed for a take that no longer waits, for the next take. */
  void park(Job job) {
    parked.add(job);
  }

  /**
   * Gives back the parked claims (at close): deletes each claim node, on the claim's live session,
   * only while the job still has the version the claim gave it, so no later claim is touched.
   * Best effort: a claim left behind goes with its session.
   */
  void releaseParked() {
    Job job;
    while ((job = parked.poll()) != null) {
      if (client.isLiveSession(job.claimSession()) && !client.isClosed()) {
        Job released = job;
        ops.multi(List.of(Op.check(Paths.join(jobs, job.id()), job.claimedVersion()),
            Op.delete(Paths.join(claims, job.id()), -1))).whenComplete((r, e) -> {
              if (e != null) {
                log.debug("queue {}: parked claim of {} not released: {}", path, released.id(), e.toString());
              }
            });
      }
    }
  }

  /** Drops the cached listing: the next take lists afresh (after a watch was set, or a reconnect). */
  void invalidateCandidates() {
    lock.lock();
    try {
      candidates.clear();
    } finally {
      lock.unlock();
    }
  }

  long claimMisses() {
    return claimMisses.get();
  }

  long listingsRead() {
    return listingsRead.get();
  }

  /**
   * Tries the cached candidates in order until one is claimed. A candidate that is gone or claimed
   * (a miss) means the listing is going stale, typically because this worker has used up its own
   * share and reached other workers' shares, most of which they have already done: walking those
   * costs one failed operation each. So after {@link WorkQueue#MAX_MISSES_BEFORE_RELIST} misses in
   * a row the rest of the listing is dropped and the queue listed afresh (claimed jobs filtered out,
   * the open ones dealt into shares again), at most {@link WorkQueue#MAX_RELISTS} times per take.
   * The last listing is walked to its end, so an empty result still means a fresh listing offered
   * nothing claimable.
   *
   * @param listings how many listings this take has read so far
   * @param misses misses in a row since this take last listed
   */
  private void nextCandidate(CompletableFuture<Optional<Job>> result, int listings, int misses, int depth) {
    String name = pollCandidate();
    if (name == null) {
      if (listings > 0 && misses == 0) {
        result.complete(Optional.empty()); // a fresh listing held nothing claimable
      } else if (listings > WorkQueue.MAX_RELISTS) {
        result.complete(Optional.empty());
      } else {
        relist(result, listings);
      }
      return;
    }
    tryClaim(name).whenComplete((job, error) -> {
      if (error != null) {
        result.completeExceptionally(WorkQueue.unwrap(error));
      } else if (job != null) {
        result.complete(Optional.of(job));
      } else {
        claimMisses.incrementAndGet();
        afterMiss(result, listings, misses + 1, depth);
      }
    });
  }

  private void afterMiss(CompletableFuture<Optional<Job>> result, int listings, int misses, int depth) {
    if (misses >= WorkQueue.MAX_MISSES_BEFORE_RELIST && listings <= WorkQueue.MAX_RELISTS) {
      relist(result, listings);
    } else if (depth >= MAX_SYNC_DEPTH) {
      client.workExecutor().execute(() -> nextCandidate(result, listings, misses, 0));
    } else {
      nextCandidate(result, listings, misses, depth + 1);
    }
  }

  private void relist(CompletableFuture<Optional<Job>> result, int listings) {
    list().whenComplete((ignored, error) -> {
      if (error != null) {
        result.completeExceptionally(WorkQueue.unwrap(error));
      } else {
        nextCandidate(result, listings + 1, 0, 0);
      }
    });
  }

  /**
   * Reads the job and claim listings, in one read transaction (one round trip, and a consistent
   * pair), and replaces the candidates with the unclaimed jobs.
   */
  private CompletableFuture<Void> list() {
    listingsRead.incrementAndGet();
    return ops.multi(List.of(Op.getChildren(jobs), Op.getChildren(claims))).thenApply(results -> {
      List<String> jobList = ((OpResult.GetChildrenResult) results.get(0)).children();
      List<String> claimList = ((OpResult.GetChildrenResult) results.get(1)).children();
      List<String> order = QueueDecisions.claimOrder(jobList, new HashSet<>(claimList), salt, spread);
      if (events != null) {
        events.queueDepth(path, jobList.size());
      }
      lock.lock();
      try {
        candidates.clear();
        candidates.addAll(order);
      } finally {
        lock.unlock();
      }
      return null;
    });
  }

  private String pollCandidate() {
    lock.lock();
    try {
      return candidates.poll();
    } finally {
      lock.unlock();
    }
  }

  /** Claims job {@code name}; completes with null if someone else has it or it is gone. */
  private CompletableFuture<Job> tryClaim(String name) {
    String jobPath = Paths.join(jobs, name);
    String claimPath = Paths.join(claims, name);
    return ops.getData(jobPath, null).handle((data, error) -> {
      if (error != null) {
        Throwable cause = WorkQueue.unwrap(error);
        if (cause instanceof NoNodeException) {
          return CompletableFuture.<Job>completedFuture(null);
        }
        return CompletableFuture.<Job>failedFuture(cause);
      }
      int attempts;
      byte[] payload;
      try {
        attempts = Job.attemptsOf(data.data());
        payload = Job.payloadOf(data.data());
      } catch (IllegalArgumentException e) {
        log.warn("queue {}: skipping foreign node {}: {}", path, name, e.getMessage());
        return CompletableFuture.<Job>completedFuture(null);
      }
      long session = client.sessionId(); // the claim multi below binds to this session
      byte[] token = claimToken(session);
      List<Op> claim = List.of(
          Op.setData(jobPath, data.data(), data.stat().version()),
          Op.create(claimPath, token, CreateMode.EPHEMERAL));
      return ops.multi(claim).handle((results, claimError) -> {
        if (claimError == null) {
          Stat stat = ((OpResult.SetDataResult) results.get(0)).stat();
          return CompletableFuture.completedFuture(
              job(name, payload, attempts, stat.mzxid(), stat.version(), session, token));
        }
        Throwable cause = WorkQueue.unwrap(claimError);
        if (cause instanceof NodeExistsException || cause instanceof BadVersionException) {
          // A retried claim whose first attempt went through lands here too: adopt it if the
          // claim node is ours, or the job would sit claimed by a live session that forgot it.
          return adoptIfOurs(name, payload, attempts, token, session);
        }
        if (cause instanceof NoNodeException) {
          return CompletableFuture.<Job>completedFuture(null);
        }
        return CompletableFuture.<Job>failedFuture(cause);
      }).thenCompose(f -> f);
    }).thenCompose(f -> f);
  }

  /**
   * After a claim failed with NodeExists or BadVersion: if the claim node carries this attempt's
   * token, an earlier try of this very claim went through (its reply was lost and the client
   * retried), and the job is ours.
   */
  private CompletableFuture<Job> adoptIfOurs(String name, byte[] payload, int attempts, byte[] token, long session) {
    Unsettled maybe = new Unsettled(payload, attempts, token, session);
    return ops.getData(Paths.join(claims, name), null).handle((claim, error) -> {
      if (error != null) {
        if (!(WorkQueue.unwrap(error) instanceof NoNodeException)) {
          unsettled.put(name, maybe); // cannot tell now: the next take looks again
        }
        return CompletableFuture.<Job>completedFuture(null);
      }
      if (!Arrays.equals(claim.data(), token)) {
        return CompletableFuture.<Job>completedFuture(null);
      }
      return ops.exists(Paths.join(jobs, name), null).handle((job, jobError) -> {
        if (jobError != null) {
          unsettled.put(name, maybe); // ours, but the job could not be read: the next take looks again
          return null;
        }
        return job == null ? null : job(name, payload, attempts, claim.stat().czxid(), job.version(), session, token);
      });
    }).thenCompose(f -> f);
  }

  private Job job(String name, byte[] payload, int attempts, long zxid, int version, long session, byte[] token) {
    return new Job(name, payload, attempts, new FencingToken(zxid), version, session, token, client, path);
  }

  /** A value no other claim attempt, in any process, writes: the session id and a counter. */
  private static byte[] claimToken(long session) {
    return ByteBuffer.allocate(16).putLong(session).putLong(CLAIM_COUNTER.incrementAndGet()).array();
  }
}
