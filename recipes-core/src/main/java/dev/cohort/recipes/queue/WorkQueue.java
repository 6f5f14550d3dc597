package dev.cohort.recipes.queue;

import dev.cohort.recipes.AsyncOps;
import dev.cohort.recipes.Cohort;
import dev.cohort.recipes.ConnectionState;
import dev.cohort.recipes.ConnectionStateListener;
import dev.cohort.recipes.FencingToken;
import dev.cohort.recipes.OwnedNode;
import dev.cohort.spi.BadVersionException;
import dev.cohort.spi.ConnectionLossException;
import dev.cohort.spi.CoordinationException;
import dev.cohort.spi.CreateMode;
import dev.cohort.spi.NoNodeException;
import dev.cohort.spi.NodeData;
import dev.cohort.spi.NodeExistsException;
import dev.cohort.spi.Op;
import dev.cohort.spi.OpResult;
import dev.cohort.spi.Paths;
import dev.cohort.spi.Stat;
import dev.cohort.spi.Watcher;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.ReentrantLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A distributed work queue with at-least-once processing: no job is lost when workers die.
 *
 * <h2>How it works</h2>
 * Under the queue's path: {@code jobs/} holds one persistent sequential node per pending job,
 * {@code claims/} one ephemeral node per job being processed (same name as the job), {@code dead/}
 * the dead letters and {@code waiters/} one ephemeral sequential node per waiting worker.
 * <ul>
 *   <li>{@link #put} creates a job node (a protected create, so a lost reply never adds a job twice).
 *   <li>A worker claims a job with one transaction that rewrites the job node (bumping its version)
 *       and creates the ephemeral claim node; the claim node makes the claim exclusive, and the
 *       version the transaction produced identifies this claim and no later one.
 *   <li>{@link #complete} deletes the claim node and the job node (checking that version) in one
 *       transaction: if the worker's session died, or another worker has claimed the job since,
 *       nothing is deleted. {@link #fail} does the same and re-creates the job at the tail with one
 *       more attempt, or in {@code dead/} after {@code maxAttempts}.
 *   <li>When a session ends its claim nodes go with it, and the jobs are claimable again.
 *   <li>Waiting workers line up in {@code waiters/}: only the oldest watches the job list (and the
 *       claim list, so that a claim lost with its worker's session wakes it too); every other
 *       watches the waiter before it. A new job therefore wakes the oldest waiter, and when it
 *       leaves the line the next one, never the whole crowd.
 * </ul>
 *
 * <h2>Limits</h2>
 * The queue is for jobs, not a data stream. A queue holds at most {@link #MAX_PENDING_JOBS} pending
 * jobs (a job listing must fit in one reply of the service), or a lower configured maximum; a job's
 * payload is at most {@link #DEFAULT_MAX_JOB_BYTES} bytes unless configured, and never more than
 * {@link #MAX_JOB_BYTES}. A put beyond either limit fails with {@link QueueFullException} or {@link
 * IllegalArgumentException} and adds nothing. A put reads the pending count first unless this
 * instance read it at most {@value #PUTS_PER_COUNT_READ} puts ago and found the queue less than half
 * full; so a producer mostly puts in one round trip, and concurrent producers can overshoot a full
 * queue by at most {@value #PUTS_PER_COUNT_READ} jobs each. Job names carry the
 * service's signed 32-bit sequence (advanced by every create under {@code jobs/}), so one queue path serves
 * about 2^31 puts and requeues; past that, names wrap and oldest-first ordering breaks.
 *
 * <p>Thread-safe: any number of threads may put, take, complete and fail concurrently.
 */
public final class WorkQueue implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(WorkQueue.class);

  /** The most pending jobs any queue may hold. */
  public static final int MAX_PENDING_JOBS = 10_000;
  /** The largest payload any queue accepts: 512 KiB. */
  public static final int MAX_JOB_BYTES = 512 * 1024;
  /** The default payload limit: 64 KiB. */
  public static final int DEFAULT_MAX_JOB_BYTES = 64 * 1024;

  /** Puts an instance may make on one reading of the pending count, while the queue is under half full. */
  static final int PUTS_PER_COUNT_READ = 32;
  /** Candidates tried in a row on the caller's stack before hopping to an executor. */
  private static final int MAX_SYNC_DEPTH = 32;
  /** Misses in a row (candidate gone or claimed) after which a take lists the queue afresh. */
  static final int MAX_MISSES_BEFORE_RELIST = 2;
  /** Fresh listings a take may read because of misses before it walks one to its end. */
  static final int MAX_RELISTS = 4;
  private static final int MAX_FAIL_ROUNDS = 5;
  private static final AtomicLong CLAIM_COUNTER = new AtomicLong();

  private final Cohort client;
  private final AsyncOps ops;
  private final String path;
  private final String jobs;
  private final String claims;
  private final String dead;
  private final String waiters;
  private final int maxAttempts;
  private final int maxJobBytes;
  private final int maxPendingJobs;
  private final int spread;
  private final long salt;

  /**
   * Claims that may be this instance's but could not be read to tell (see {@link #adoptIfOurs}),
   * by job name. A claim of ours that nobody looks at again would hold its job, unprocessed, for as
   * long as the session lives; so the next take settles these first.
   */
  private final Map<String, Unsettled> unsettled = new ConcurrentHashMap<>();

  /** What a claim attempt knew when it could not tell whether its claim went through. */
  private record Unsettled(byte[] payload, int attempts, byte[] token, long session) {}

  private final ReentrantLock lock = new ReentrantLock();
  /** Guarded by lock: jobs to try next, from the last listing. Stale entries fail fast. */
  private final ArrayDeque<String> candidates = new ArrayDeque<>();
  /** Every take currently waiting; woken on connection changes. */
  /**
   * The pending count this instance last read (-1: none yet) and its puts since, packed as {@code
   * count << 32 | puts}, so that one compare-and-set keeps the pair consistent.
   */
  private final AtomicLong countReading = new AtomicLong(-1L << 32);
  private final Set<CompletableFuture<Boolean>> sleepers = ConcurrentHashMap.newKeySet();
  /** The takes of this instance that are the oldest waiter and watch the job list. */
  private final Set<CompletableFuture<Boolean>> heads = ConcurrentHashMap.newKeySet();
  /**
   * One watcher object for the job list, so a session holds at most one registration of it however
   * many takes arm it (watchers are compared by identity).
   */
  private final Watcher jobsWatcher = event -> wake(heads, true);
  /**
   * The same for the claim list: a claim that goes without its job (its worker's session ended)
   * makes a job claimable again, which the job list alone would not show.
   */
  private final Watcher claimsWatcher = event -> wake(heads, true);
  private final ConnectionStateListener stateListener = this::connectionChanged;
  /** Blocked takes released by a watch (not by a timeout or a connection change); the herd test counts them. */
  private final AtomicLong watchWakeUps = new AtomicLong();
  /** Candidates tried that were gone or claimed by someone else; the stale-listing test counts them. */
  private final AtomicLong claimMisses = new AtomicLong();
  /** Job listings read by takes. */
  private final AtomicLong listingsRead = new AtomicLong();
  /** Takes blocked waiting for a wake-up right now. */
  private final java.util.concurrent.atomic.AtomicInteger waitingTakes = new java.util.concurrent.atomic.AtomicInteger();
  private volatile boolean closed;

  private WorkQueue(Builder b) {
    this.client = b.client;
    this.ops = b.client.async();
    this.path = b.path;
    this.jobs = Paths.join(path, "jobs");
    this.claims = Paths.join(path, "claims");
    this.dead = Paths.join(path, "dead");
    this.waiters = Paths.join(path, "waiters");
    this.maxAttempts = b.maxAttempts;
    this.maxJobBytes = b.maxJobBytes;
    this.maxPendingJobs = b.maxPendingJobs;
    this.spread = b.spread;
    this.salt = b.salt != null ? b.salt : b.client.sessionId();
  }

  /** A builder for the queue at {@code path} (a valid absolute path, created if missing). */
  public static Builder builder(Cohort client, String path) {
    return new Builder(client, path);
  }

  /** The queue's path. */
  public String path() {
    return path;
  }

  // ---- producing ---------------------------------------------------------------------------

  /**
   * Adds a job and returns its id.
   *
   * @throws IllegalArgumentException if the payload exceeds the job size limit (nothing is added)
   * @throws QueueFullException if the queue holds its maximum of pending jobs (nothing is added)
   * @throws CoordinationException if the service could not be reached within the retry policy
   */
  public String put(byte[] payload) throws InterruptedException {
    byte[] data = jobData(payload);
    if (!mayPutUnread()) {
      Stat stat = client.blocking().exists(jobs, null);
      checkRoom(stat);
    }
    return client.blocking().createProtected(jobs, QueueDecisions.JOB_PREFIX, data, CreateMode.PERSISTENT_SEQUENTIAL).name();
  }

  /** {@link #put}, asynchronously; the size check still throws at once. */
  public CompletableFuture<String> putAsync(byte[] payload) {
    byte[] data = jobData(payload);
    if (mayPutUnread()) {
      return ops.createProtected(jobs, QueueDecisions.JOB_PREFIX, data, CreateMode.PERSISTENT_SEQUENTIAL)
          .thenApply(OwnedNode::name);
    }
    return ops.exists(jobs, null).thenCompose(stat -> {
      checkRoom(stat);
      return ops.createProtected(jobs, QueueDecisions.JOB_PREFIX, data, CreateMode.PERSISTENT_SEQUENTIAL);
    }).thenApply(OwnedNode::name);
  }

  /** The job node's data for {@code payload}, after the checks every put makes first. */
  private byte[] jobData(byte[] payload) {
    Objects.requireNonNull(payload, "payload");
    requireOpen();
    if (payload.length > maxJobBytes) {
      throw new IllegalArgumentException(
          "job payload of " + payload.length + " bytes exceeds the limit of " + maxJobBytes + " bytes for queue " + path);
    }
    return Job.encode(0, payload);
  }

  /** Records a reading of the job list's stat and refuses the put if the queue is full. */
  private void checkRoom(Stat jobsStat) {
    int pending = jobsStat == null ? 0 : jobsStat.numChildren();
    countReading.set((long) pending << 32 | 1); // the put about to be made counts against the reading
    if (pending >= maxPendingJobs) {
      throw new QueueFullException(path, pending, maxPendingJobs);
    }
  }

  /**
   * Whether a put may skip reading the pending count (and counts it if so): the last reading is at
   * most {@link #PUTS_PER_COUNT_READ} puts old and, with those puts added, under half the maximum.
   */
  private boolean mayPutUnread() {
    while (true) {
      long reading = countReading.get();
      long count = reading >> 32;
      long puts = reading & 0xFFFF_FFFFL;
      if (count < 0 || puts >= PUTS_PER_COUNT_READ || (count + puts + 1) * 2 > maxPendingJobs) {
        return false;
      }
      if (countReading.compareAndSet(reading, reading + 1)) {
        return true;
      }
    }
  }

  /** Pending jobs (claimed or not); a snapshot. */
  public int size() throws InterruptedException {
    Stat stat = await(ops.exists(jobs, null));
    return stat == null ? 0 : stat.numChildren();
  }

  /** The dead letters' ids, oldest first. */
  public List<String> deadLetters() throws InterruptedException {
    return await(ops.getChildren(dead, null)).names().stream()
        .sorted(java.util.Comparator.comparingLong(QueueDecisions::sequence)).toList();
  }

  // ---- consuming ---------------------------------------------------------------------------

  /**
   * Claims the oldest job it can without waiting, or returns empty if none is free right now. The
   * future completes on a backend thread.
   */
  public CompletableFuture<Optional<Job>> tryTakeAsync() {
    requireOpen();
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

  /**
   * Claims a job, waiting up to {@code timeout} for one to be put. Empty if none came in time or
   * the queue was closed. A take that gives up removes its place in the waiting line.
   *
   * @throws CoordinationException if the service could not be reached within the retry policy
   */
  public Optional<Job> take(Duration timeout) throws InterruptedException {
    Objects.requireNonNull(timeout, "timeout");
    long deadline = client.timeSource().nanoTime() + timeout.toNanos();
    OwnedNode waiter = null;
    try {
      while (!closed) {
        // completes with true when a watch fires, false on a connection change or close
        CompletableFuture<Boolean> wake = new CompletableFuture<>();
        sleepers.add(wake);
        try {
          if (waiter != null && !arm(waiter, wake)) {
            waiter = null; // our place in line went with a lost session: take a new one
          }
          Optional<Job> job = await(tryTakeAsync());
          if (job.isPresent()) {
            return job;
          }
          if (waiter == null) {
            waiter = await(ops.createProtected(waiters, QueueDecisions.WAITER_PREFIX, new byte[0],
                CreateMode.EPHEMERAL_SEQUENTIAL));
            continue;
          }
          long remaining = deadline - client.timeSource().nanoTime();
          if (remaining <= 0) {
            return Optional.empty();
          }
          waitingTakes.incrementAndGet();
          try {
            if (wake.get(remaining, TimeUnit.NANOSECONDS)) {
              watchWakeUps.incrementAndGet();
            }
          } catch (TimeoutException e) {
            return Optional.empty();
          } catch (ExecutionException e) {
            throw new IllegalStateException("wake-ups never fail", e);
          } finally {
            waitingTakes.decrementAndGet();
          }
        } finally {
          sleepers.remove(wake);
          heads.remove(wake);
        }
      }
      return Optional.empty();
    } finally {
      if (waiter != null) {
        // Not awaited: an interrupted or finished take must not block on its clean-up.
        ops.deleteIfOwned(waiter);
      }
    }
  }

  /**
   * Sets the one watch this waiting take keeps: on the job list if it is the oldest waiter, else on
   * the waiter before it. Returns false if its waiter node is gone.
   */
  private boolean arm(OwnedNode waiter, CompletableFuture<Boolean> wake) throws InterruptedException {
    if (!client.isLiveSession(waiter.sessionId())) {
      return false;
    }
    List<String> line = await(ops.getChildren(waiters, null)).names();
    if (!line.contains(waiter.name())) {
      return false;
    }
    Optional<String> predecessor = QueueDecisions.waiterToWatch(line, waiter.name());
    if (predecessor.isEmpty()) {
      heads.add(wake);
      CompletableFuture<?> claimsArmed = ops.getChildren(claims, claimsWatcher);
      await(ops.getChildren(jobs, jobsWatcher));
      await(claimsArmed);
      invalidateCandidates(); // a watch was just set: the next try must list again to miss nothing
    } else {
      Stat stat = await(ops.exists(Paths.join(waiters, predecessor.get()), event -> wake.complete(true)));
      if (stat == null) {
        wake.complete(false);
      }
    }
    return true;
  }

  /**
   * Tries the cached candidates in order until one is claimed. A candidate that is gone or claimed
   * (a miss) means the listing is going stale, typically because this worker has used up its own
   * share and reached other workers' shares, most of which they have already done: walking those
   * costs one failed operation each. So after {@link #MAX_MISSES_BEFORE_RELIST} misses in a row the
   * rest of the listing is dropped and the queue listed afresh (claimed jobs filtered out, the open
   * ones dealt into shares again), at most {@link #MAX_RELISTS} times per take. The last listing is
   * walked to its end, so an empty result still means a fresh listing offered nothing claimable.
   *
   * @param listings how many listings this take has read so far
   * @param misses misses in a row since this take last listed
   */
  private void nextCandidate(CompletableFuture<Optional<Job>> result, int listings, int misses, int depth) {
    String name = pollCandidate();
    if (name == null) {
      if (listings > 0 && misses == 0) {
        result.complete(Optional.empty()); // a fresh listing held nothing claimable
      } else if (listings > MAX_RELISTS) {
        result.complete(Optional.empty());
      } else {
        relist(result, listings);
      }
      return;
    }
    tryClaim(name).whenComplete((job, error) -> {
      if (error != null) {
        result.completeExceptionally(unwrap(error));
      } else if (job != null) {
        result.complete(Optional.of(job));
      } else {
        claimMisses.incrementAndGet();
        afterMiss(result, listings, misses + 1, depth);
      }
    });
  }

  private void afterMiss(CompletableFuture<Optional<Job>> result, int listings, int misses, int depth) {
    if (misses >= MAX_MISSES_BEFORE_RELIST && listings <= MAX_RELISTS) {
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
        result.completeExceptionally(unwrap(error));
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

  private void invalidateCandidates() {
    lock.lock();
    try {
      candidates.clear();
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
        Throwable cause = unwrap(error);
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
      byte[] token = claimToken();
      List<Op> claim = List.of(
          Op.setData(jobPath, data.data(), data.stat().version()),
          Op.create(claimPath, token, CreateMode.EPHEMERAL));
      return ops.multi(claim).handle((results, claimError) -> {
        if (claimError == null) {
          Stat stat = ((OpResult.SetDataResult) results.get(0)).stat();
          return CompletableFuture.completedFuture(
              new Job(name, payload, attempts, new FencingToken(stat.mzxid()), stat.version(), session));
        }
        Throwable cause = unwrap(claimError);
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
        if (!(unwrap(error) instanceof NoNodeException)) {
          unsettled.put(name, maybe); // cannot tell now: the next take looks again
        }
        return CompletableFuture.<Job>completedFuture(null);
      }
      if (!java.util.Arrays.equals(claim.data(), token)) {
        return CompletableFuture.<Job>completedFuture(null);
      }
      return ops.exists(Paths.join(jobs, name), null).handle((job, jobError) -> {
        if (jobError != null) {
          unsettled.put(name, maybe); // ours, but the job could not be read: the next take looks again
          return null;
        }
        return job == null
            ? null
            : new Job(name, payload, attempts, new FencingToken(claim.stat().czxid()), job.version(), session);
      });
    }).thenCompose(f -> f);
  }

  /** A value no other claim attempt, in any process, writes: the session id and a counter. */
  private byte[] claimToken() {
    return java.nio.ByteBuffer.allocate(16).putLong(client.sessionId()).putLong(CLAIM_COUNTER.incrementAndGet()).array();
  }

  // ---- finishing ---------------------------------------------------------------------------

  /**
   * Removes a finished job, in one transaction with its claim, if the claim is still this one.
   *
   * <p>It does not give up while the claim's session lives: when the client's retry policy runs
   * out with the service unreachable, it waits for the connection and tries again. A claim left in
   * place by a caller that gave up would hold the job, unprocessed, for as long as the session
   * lasts. Once the session is gone the claim is gone too, and the answer is whether the job is.
   *
   * @return true if the job is gone from the queue (this claim completed it; after a lost reply it
   *     may have been completed by a later claimant); false if the claim was lost and the job is
   *     still pending, to be processed again by whoever claims it next
   */
  public boolean complete(Job job) throws InterruptedException {
    List<Op> done = completion(job);
    String jobPath = Paths.join(jobs, job.id());
    while (true) {
      try {
        client.blocking().multi(done);
        return true;
      } catch (BadVersionException e) {
        return false; // claimed again since: ours is lost
      } catch (NoNodeException e) {
        return client.blocking().exists(jobPath, null) == null; // gone: done, by us or a later claimant
      } catch (CoordinationException e) {
        boolean sessionGone = e.isSessionGone() || !client.isLiveSession(job.claimSession());
        if (client.isClosed() || !(e.isOutcomeUnknown() || sessionGone)) {
          throw e;
        }
        if (sessionGone) {
          // An earlier attempt may have gone through before the session ended (its reply lost):
          // the claim went with the session either way, and whether the job is gone tells.
          return jobGone(jobPath);
        }
        // Unreachable beyond the retry policy, the claim still alive: wait for the connection.
        client.awaitConnected(client.session().sessionTimeout());
      }
    }
  }

  /** Whether the job node is gone, read on the client's next usable session. */
  private boolean jobGone(String jobPath) throws InterruptedException {
    for (int attempt = 1; ; attempt++) {
      client.awaitConnected(client.session().sessionTimeout());
      try {
        return client.blocking().exists(jobPath, null) == null;
      } catch (CoordinationException e) {
        if (!(e.isOutcomeUnknown() || e.isSessionGone()) || attempt >= MAX_FAIL_ROUNDS || client.isClosed()) {
          throw e;
        }
      }
    }
  }

  /** The transaction that completes {@code job}: delete the claim and the job at its claimed version. */
  private List<Op> completion(Job job) {
    Objects.requireNonNull(job, "job");
    return List.of(Op.delete(Paths.join(claims, job.id()), -1), Op.delete(Paths.join(jobs, job.id()), job.claimedVersion()));
  }

  /**
   * {@link #complete}, asynchronously, with one difference: this form fails with the service's
   * error once the client's retry policy gives up, and the claim then stays until its session ends.
   */
  public CompletableFuture<Boolean> completeAsync(Job job) {
    List<Op> done = completion(job);
    String jobPath = Paths.join(jobs, job.id());
    return ops.multi(done).handle((results, error) -> {
      if (error == null) {
        return CompletableFuture.completedFuture(true);
      }
      Throwable cause = unwrap(error);
      if (cause instanceof BadVersionException) {
        return CompletableFuture.completedFuture(false);
      }
      if (cause instanceof NoNodeException) {
        return ops.exists(jobPath, null).thenApply(stat -> stat == null);
      }
      return CompletableFuture.<Boolean>failedFuture(cause);
    }).thenCompose(f -> f);
  }

  /**
   * Gives a job back after a failed attempt: requeued at the tail with its attempt count raised, or
   * moved to the dead letters once it has failed {@code maxAttempts} times. Acts only if the claim
   * is still this one.
   */
  public FailOutcome fail(Job job) throws InterruptedException {
    Objects.requireNonNull(job, "job");
    int failures = job.attempts() + 1;
    boolean toDead = failures >= maxAttempts;
    String jobPath = Paths.join(jobs, job.id());
    List<Op> requeue = List.of(
        Op.delete(Paths.join(claims, job.id()), -1),
        Op.delete(jobPath, job.claimedVersion()),
        Op.create(Paths.join(toDead ? dead : jobs, QueueDecisions.JOB_PREFIX),
            Job.encode(failures, job.payloadUnsafe()), CreateMode.PERSISTENT_SEQUENTIAL));
    for (int round = 0; ; round++) {
      try {
        await(ops.multi(requeue));
        return toDead ? FailOutcome.DEAD_LETTERED : FailOutcome.REQUEUED;
      } catch (BadVersionException | NoNodeException e) {
        return FailOutcome.CLAIM_LOST;
      } catch (ConnectionLossException e) {
        // A sequential create is never retried blindly: look at the job to learn what happened.
        Stat stat = await(ops.exists(jobPath, null));
        if (stat == null) {
          return toDead ? FailOutcome.DEAD_LETTERED : FailOutcome.REQUEUED;
        }
        if (stat.version() != job.claimedVersion() || round >= MAX_FAIL_ROUNDS) {
          if (round >= MAX_FAIL_ROUNDS) {
            throw e;
          }
          return FailOutcome.CLAIM_LOST;
        }
      }
    }
  }

  // ---- lifecycle ---------------------------------------------------------------------------

  /**
   * Stops this instance: waiting takes return empty and its job-list watch is removed. Jobs and
   * claims stay as they are.
   */
  @Override
  public void close() {
    closed = true;
    client.removeConnectionStateListener(stateListener);
    wake(sleepers, false);
    if (!client.isClosed() && !client.session().state().isTerminal()) {
      // the one job-list and the one claim-list watch this instance may hold
      ops.removeWatches(jobs, jobsWatcher);
      ops.removeWatches(claims, claimsWatcher);
    }
  }

  int waitingTakes() {
    return waitingTakes.get();
  }

  long watchWakeUps() {
    return watchWakeUps.get();
  }

  long claimMisses() {
    return claimMisses.get();
  }

  long listingsRead() {
    return listingsRead.get();
  }

  private void connectionChanged(Cohort c, ConnectionState state) {
    // After a loss our waiter nodes and claims are gone; after any reconnect watches may have
    // been missed. Waiting takes look again.
    if (state == ConnectionState.LOST || state == ConnectionState.RECONNECTED) {
      invalidateCandidates();
      wake(sleepers, false);
    }
  }

  private static void wake(Set<CompletableFuture<Boolean>> waiting, boolean byWatch) {
    for (CompletableFuture<Boolean> f : waiting) {
      f.complete(byWatch);
    }
  }


  private void requireOpen() {
    if (closed) {
      throw new IllegalStateException("queue " + path + " is closed");
    }
  }

  private static <T> T await(CompletableFuture<T> future) throws InterruptedException {
    try {
      return future.get();
    } catch (ExecutionException e) {
      Throwable cause = e.getCause();
      if (cause instanceof RuntimeException re) {
        throw re;
      }
      if (cause instanceof Error err) {
        throw err;
      }
      throw new IllegalStateException(cause);
    }
  }

  private static Throwable unwrap(Throwable t) {
    while ((t instanceof CompletionException || t instanceof ExecutionException) && t.getCause() != null) {
      t = t.getCause();
    }
    return t;
  }

  /** Configures a {@link WorkQueue}. */
  public static final class Builder {
    private final Cohort client;
    private final String path;
    private int maxAttempts = 3;
    private int maxJobBytes = DEFAULT_MAX_JOB_BYTES;
    private int maxPendingJobs = MAX_PENDING_JOBS;
    private int spread = 8;
    private Long salt;

    private Builder(Cohort client, String path) {
      this.client = Objects.requireNonNull(client, "client");
      Paths.validate(path);
      if (path.equals(Paths.ROOT)) {
        throw new IllegalArgumentException("a queue needs a path of its own, not the root");
      }
      this.path = path;
    }

    /** How many times a job may fail before it moves to the dead letters; default 3, at least 1. */
    public Builder maxAttempts(int maxAttempts) {
      if (maxAttempts < 1) {
        throw new IllegalArgumentException("maxAttempts must be at least 1: " + maxAttempts);
      }
      this.maxAttempts = maxAttempts;
      return this;
    }

    /** The largest payload accepted, in bytes; default 64 KiB, at most {@link #MAX_JOB_BYTES}. */
    public Builder maxJobBytes(int maxJobBytes) {
      if (maxJobBytes < 0 || maxJobBytes > MAX_JOB_BYTES) {
        throw new IllegalArgumentException("maxJobBytes must be in 0.." + MAX_JOB_BYTES + ": " + maxJobBytes);
      }
      this.maxJobBytes = maxJobBytes;
      return this;
    }

    /** The most pending jobs; default and at most {@link #MAX_PENDING_JOBS}. */
    public Builder maxPendingJobs(int maxPendingJobs) {
      if (maxPendingJobs < 1 || maxPendingJobs > MAX_PENDING_JOBS) {
        throw new IllegalArgumentException("maxPendingJobs must be in 1.." + MAX_PENDING_JOBS + ": " + maxPendingJobs);
      }
      this.maxPendingJobs = maxPendingJobs;
      return this;
    }

    /**
     * How workers avoid racing for the same job: the oldest jobs are dealt into {@code spread}
     * shares and this instance tries share {@code salt mod spread} first. Default: 8 shares, salt
     * the session id. Give workers distinct salts when you know how many there are.
     */
    public Builder claimSpread(int spread, long salt) {
      if (spread < 1) {
        throw new IllegalArgumentException("spread must be at least 1: " + spread);
      }
      this.spread = spread;
      this.salt = salt;
      return this;
    }

    /** Creates the queue's nodes if missing and returns the queue. */
    public WorkQueue build() throws InterruptedException {
      WorkQueue queue = new WorkQueue(this);
      for (String dir : List.of(queue.jobs, queue.claims, queue.dead, queue.waiters)) {
        try {
          await(client.async().createWithParents(dir, new byte[0], CreateMode.PERSISTENT));
        } catch (NodeExistsException e) {
          // already there
        }
      }
      client.addConnectionStateListener(queue.stateListener);
      return queue;
    }
  }
}
