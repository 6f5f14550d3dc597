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
import java.util.ArrayList;
import java.util.HashSet;
import java.util.Set;
import java.util.TreeSet;
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
 * <p>A listing reads one directory of jobs, never the whole queue: the old layout's flat directory
 * while it has jobs, then the buckets in ascending order, each with the claims; the first that
 * holds a job nobody claimed gives the candidates. A bucket seen empty that is not the newest is
 * deleted (a producer still putting into it makes the delete fail, harmlessly). So a listing reads
 * at most one bucket (about {@link WorkQueue#BUCKET_SIZE} names), the claims, the queue's own
 * children and the list of buckets, whatever the queue's depth; the last two come in the same
 * read transaction as a bucket where that saves a round trip (see {@code list()}). Where there
 * are delayed jobs it reads first, per priority, the directories of their tree down to the
 * buckets whose slots have begun, and stops at the first directory due later ({@code
 * listDelayed()}): a few short listings, whatever the number of delayed jobs.
 *
 * <p>A claim is one transaction: rewrite the job node at the version just read (bumping it) and
 * create the ephemeral claim node, whose data is a token no other claim attempt writes. A retried
 * claim whose first attempt went through meets NodeExists or BadVersion; the claim node then
 * carries this attempt's token, and the job is adopted. When the claim node cannot be read to tell,
 * the job is remembered as {@linkplain #unsettled unsettled} and the next take settles it first.
 * The claims' directory may be gone (a container emptied): a claim that meets its absence creates it
 * and claims again.
 *
 * <p>Thread-safe.
 */
final class ClaimWalker {
  private static final Logger log = LoggerFactory.getLogger(ClaimWalker.class);

  /** Directories below {@code delayed/} a listing of the delayed jobs reads in its first transaction. */
  private static final int MAX_PREFETCH = 6;
  /** Candidates tried in a row on the caller's stack before hopping to an executor. */
  private static final int MAX_SYNC_DEPTH = 32;
  private static final AtomicLong CLAIM_COUNTER = new AtomicLong();

  private final Cohort client;
  private final AsyncOps ops;
  private final QueueLayout layout;
  private final String path;
  private final String claims;
  private final int spread;
  private final long salt;
  /** The client's event listener, or null. */
  private final dev.cohort.recipes.CohortEvents events;

  /**
   * Claims that may be this instance's but could not be read to tell (see {@link #adoptIfOurs}),
   * by claim name. A claim of ours that nobody looks at again would hold its job, unprocessed, for
   * as long as the session lives; so the next take settles these first.
   */
  private final Map<String, Unsettled> unsettled = new ConcurrentHashMap<>();

  /** What a claim attempt knew when it could not tell whether its claim went through. */
  private record Unsettled(Candidate candidate, byte[] payload, int attempts, byte[] token, long session) {}

  /** A job to try: its node's path and its claim's name. */
  record Candidate(String jobPath, String claimName) {}

  private final ReentrantLock lock = new ReentrantLock();
  /**
   * Guarded by lock: the names of the jobs to try next, from the last listing, in {@link
   * #candidateDir}. Stale entries fail fast. Names, not {@link Candidate}s: a listing holds up to a
   * bucket of names and a take uses a few, so each candidate's paths are built when it is polled.
   */
  private final ArrayDeque<String> candidates = new ArrayDeque<>();
  /** Guarded by lock: the directory of {@link #candidates}. */
  private String candidateDir;
  /** Guarded by lock: the bucket name of {@link #candidates}, null for the old layout's directory. */
  private String candidateBucket;
  /** Guarded by lock: the buckets this instance knows of, from its last reading of the bucket list. */
  private final TreeSet<Long> buckets = new TreeSet<>();
  /** Candidates tried that were gone or claimed by someone else; the stale-listing test counts them. */
  private final AtomicLong claimMisses = new AtomicLong();
  /** Job listings read by takes. */
  private final AtomicLong listingsRead = new AtomicLong();
  /**
   * Whether the claims' directory was last seen missing (a new queue, or a container emptied):
   * listings then read no claims, and a claim creates the directory in its own transaction.
   */
  private volatile boolean claimsMissing;
  /** See {@link #nextDueMillis()}. */
  private volatile long nextDueMillis = Long.MAX_VALUE;
  /** See {@link #delayedRead()}. */
  private volatile List<String> delayedRead = List.of();

  ClaimWalker(QueueLayout layout, int spread, long salt) {
    this.client = layout.client;
    this.ops = client.async();
    this.layout = layout;
    this.path = layout.path;
    this.claims = layout.claims;
    this.spread = spread;
    this.salt = salt;
    this.events = client.events().orElse(null);
  }

  /** Claims the oldest job it can without waiting, or completes empty; completes on a backend thread. */
  CompletableFuture<Optional<Job>> tryTake() {
    CompletableFuture<Optional<Job>> result = new CompletableFuture<>();
    String name = unsettled.keySet().stream().findFirst().orElse(null);
    Unsettled maybe = name == null ? null : unsettled.remove(name);
    if (maybe == null) {
      nextCandidate(result, 0, 0, 0);
    } else if (!client.isLiveSession(maybe.session())) {
      nextCandidate(result, 0, 0, 0); // that claim, if it was ours, ended with its session
    } else {
      adoptIfOurs(maybe.candidate(), maybe.payload(), maybe.attempts(), maybe.token(), maybe.session())
          .whenComplete((job, error) -> {
            if (job != null) {
              handOver(result, job);
            } else {
              nextCandidate(result, 0, 0, 0);
            }
          });
    }
    return result;
  }

  /**
   * Returns {@code job} to the take that asked for it; if that take was given up meanwhile (its
   * deadline passed, it was interrupted or cancelled), gives the claim back instead.
   */
  private void handOver(CompletableFuture<Optional<Job>> result, Job job) {
    if (!result.complete(Optional.of(job))) {
      giveBack(job);
    }
  }

  /**
   * Gives back the claim of {@code job}, made for a take that no longer waits: deletes the claim
   * node, on the claim's live session, only while the job still has the version the claim gave it,
   * so no later claim is touched. The job is then pending again and the waiting takes are woken (the
   * oldest waiter watches the claims). Best effort: a claim left behind by a failed request goes
   * with its session. Keeping such a job for this instance's next take instead would hold it,
   * unprocessed, for as long as the session lives if no take came.
   */
  void giveBack(Job job) {
    if (!client.isLiveSession(job.claimSession()) || client.isClosed()) {
      return; // the claim went, or goes, with its session
    }
    ops.multi(List.of(Op.check(job.jobPath(), job.claimedVersion()),
        Op.delete(Paths.join(claims, job.id()), -1))).whenComplete((r, e) -> {
          if (e != null) {
            log.debug("queue {}: claim of {} not given back: {}", path, job.id(), e.toString());
          }
        });
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

  /** The buckets this instance last saw, oldest first (the waiting line watches them). */
  List<Long> knownBuckets() {
    lock.lock();
    try {
      return new ArrayList<>(buckets);
    } finally {
      lock.unlock();
    }
  }

  /** Records a fresh reading of the bucket list. */
  void bucketsRead(List<Long> indexes) {
    lock.lock();
    try {
      buckets.clear();
      buckets.addAll(indexes);
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
    if (result.isDone()) {
      return; // the take was given up (cancelled): claim nothing more for it
    }
    Candidate next = pollCandidate();
    if (next == null) {
      if (listings > 0 && misses == 0) {
        result.complete(Optional.empty()); // a fresh listing held nothing claimable
      } else if (listings > WorkQueue.MAX_RELISTS) {
        result.complete(Optional.empty());
      } else {
        relist(result, listings);
      }
      return;
    }
    tryClaim(next, true).whenComplete((job, error) -> {
      if (error != null) {
        result.completeExceptionally(WorkQueue.unwrap(error));
      } else if (job != null) {
        handOver(result, job);
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
      client.workExecutor().execute(() -> {
        try {
          nextCandidate(result, listings, misses, 0);
        } catch (RuntimeException e) { // a request refused at once (the client closed)
          result.completeExceptionally(e);
        }
      });
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
   * What one directory of jobs held: -1 jobs if it is missing; the names of the jobs to offer, in
   * {@code dir} of bucket {@code bucket} (null for the old layout's directory). A listing of
   * delayed jobs keeps every child's name ({@code delayed/} holds lanes too) and the earliest due
   * time still to come ({@code Long.MAX_VALUE}: none). A bucket's listing
   * may carry, read in the same transaction, the queue's own children ({@code top}) and the list of
   * buckets ({@code buckets}); null where not read.
   */
  private record DirListing(int jobs, String dir, String bucket, List<String> open, List<String> top,
      List<String> buckets, List<String> children, long nextDue) {
    DirListing(int jobs, String dir, String bucket, List<String> open) {
      this(jobs, dir, bucket, open, null, null, List.of(), Long.MAX_VALUE);
    }

    static DirListing missing(String dir, String bucket) {
      return new DirListing(-1, dir, bucket, List.of());
    }

    DirListing with(List<String> top, List<String> buckets) {
      return new DirListing(jobs, dir, bucket, open, top, buckets, children, nextDue);
    }
  }

  /** One listing's walk over the job directories. */
  private static final class Walk {
    final Set<Long> visited = new HashSet<>();
    /** Whether the bucket list was read during this walk. */
    boolean refreshed;
    /**
     * Whether the delayed jobs must still be read before this walk offers anything: null while
     * unknown, true if their directory was seen, false once read (or seen missing).
     */
    Boolean delayedPending;
    /** Buckets read in a row on the caller's stack. */
    int depth;
  }

  /**
   * Finds the oldest directory of jobs that holds a job nobody claimed and replaces the candidates
   * with its unclaimed jobs (none if no directory has one): the due delayed jobs first (see {@link
   * #listDelayed}), then the old layout's directory while it has jobs, then the buckets in
   * ascending order.
   *
   * <p>Whether there are delayed jobs to read comes with the first bucket's listing (the queue's
   * own children, read in the same transaction), so a listing is one round trip when there are
   * none; likewise the list of buckets comes with the listing of the newest known bucket, so a walk
   * that finds nothing claimable there needs no second read to know no newer bucket exists.
   */
  private CompletableFuture<Void> list() {
    try {
      return listUnguarded();
    } catch (RuntimeException e) { // a request refused at once (the client closed)
      return CompletableFuture.failedFuture(e);
    }
  }

  /**
   * Reads the delayed jobs due now and offers the unclaimed ones of the first bucket that has any
   * (see {@link DelayedTree}); whether it offered any. It reads {@code delayed/} with the claims (an
   * old version's jobs there come first), then, highest priority first, each lane's earliest
   * window and its earliest buckets, and stops in a lane at the first directory whose due times
   * are all to come: so it reads the buckets that hold due jobs and never those due later, however
   * many there are. A drained bucket, window or lane it passes whose due times are all past is
   * deleted: puts due now go to later ones (a put due in the past may still race with the delete:
   * the delete then fails, or the put creates the directory again). Records the earliest due time still to come, or a lower bound of it
   * (the start of a directory not read), and the directories read, which a waiting take watches.
   */
  private CompletableFuture<Boolean> listDelayed() {
    DelayedScan scan = new DelayedScan(client.timeSource().epochMillis());
    scan.read.add(layout.delayed);
    return readDelayedRoot(scan).thenCompose(root -> {
      scan.sawJobs(root);
      if (!root.open().isEmpty()) {
        return CompletableFuture.completedFuture(scan.done(offer(root)));
      }
      List<DelayedTree.Lane> lanes = DelayedTree.lanes(root.children());
      return scanLanes(scan, lanes, 0).thenApply(found -> scan.done(found != null && offer(found)));
    });
  }

  /**
   * Reads {@code delayed/} with the claims and, in the same read transaction, the directories the
   * last listing read below it (at most {@link #MAX_PREFETCH}), which the scan then takes from
   * {@code scan.prefetched} instead of reading them one by one: while the due part of the tree
   * stays where it was, a listing of the delayed jobs is one round trip. If one of them is gone,
   * it reads {@code delayed/} and the claims alone, and the scan reads the rest as it goes.
   */
  private CompletableFuture<DirListing> readDelayedRoot(DelayedScan scan) {
    List<String> below = delayedRead.stream().filter(d -> !d.equals(layout.delayed)).limit(MAX_PREFETCH).toList();
    if (below.isEmpty() || claimsMissing) {
      return readDir(layout.delayed, QueueLayout.DELAYED, false, false);
    }
    List<Op> reads = new ArrayList<>(below.size() + 2);
    reads.add(Op.getChildren(layout.delayed));
    reads.add(Op.getChildren(claims));
    below.forEach(d -> reads.add(Op.getChildren(d)));
    return ops.multi(reads).handle((results, error) -> {
      if (error != null) {
        return readDir(layout.delayed, QueueLayout.DELAYED, false, false);
      }
      List<String> claimList = ((OpResult.GetChildrenResult) results.get(1)).children();
      scan.claims = claimList;
      for (int i = 0; i < below.size(); i++) {
        scan.prefetched.put(below.get(i), ((OpResult.GetChildrenResult) results.get(i + 2)).children());
      }
      List<String> rootList = ((OpResult.GetChildrenResult) results.get(0)).children();
      return CompletableFuture.completedFuture(listing(layout.delayed, QueueLayout.DELAYED, rootList, claimList));
    }).thenCompose(f -> f);
  }

  /** The children of {@code dir}: as read with the scan's first transaction, or read now. */
  private CompletableFuture<List<String>> children(DelayedScan scan, String dir) {
    List<String> known = scan.prefetched.remove(dir);
    return known != null ? CompletableFuture.completedFuture(known) : layout.childrenOrEmpty(dir);
  }

  /** A bucket of delayed jobs with the claims: as read with the scan's first transaction, or read now. */
  private CompletableFuture<DirListing> bucketListing(DelayedScan scan, String dir, String label) {
    List<String> known = scan.prefetched.remove(dir);
    if (known != null && scan.claims != null) {
      return CompletableFuture.completedFuture(listing(dir, label, known, scan.claims));
    }
    return readDir(dir, label, false, false);
  }

  /** One reading of the delayed jobs: the time it reads for, what it learnt. */
  private final class DelayedScan {
    final long now;
    long nextDue = Long.MAX_VALUE;
    final List<String> read = new ArrayList<>();
    /** Directories read with the first transaction, not used yet, by path. */
    final Map<String, List<String>> prefetched = new java.util.HashMap<>();
    /** The claims read with them, or null. */
    List<String> claims;
    /** Lanes to skip: a priority whose earliest due time still to come was found. */
    final Set<Integer> settledPriorities = new HashSet<>();
    int steps;

    DelayedScan(long now) {
      this.now = now;
    }

    void due(long millis) {
      nextDue = Math.min(nextDue, millis);
    }

    void sawJobs(DirListing listing) {
      due(listing.nextDue());
    }

    boolean done(boolean offered) {
      nextDueMillis = nextDue;
      delayedRead = List.copyOf(read);
      return offered;
    }
  }

  /** Runs {@code step} on this stack for a few steps, then from the client's executor (no deep stacks). */
  private <T> CompletableFuture<T> hop(DelayedScan scan, java.util.function.Supplier<CompletableFuture<T>> step) {
    if (++scan.steps % MAX_SYNC_DEPTH != 0) {
      return step.get();
    }
    return CompletableFuture.supplyAsync(step, client.workExecutor()).thenCompose(f -> f);
  }

  /** Scans lanes from {@code i}: the listing of the first bucket with a due unclaimed job, or null. */
  private CompletableFuture<DirListing> scanLanes(DelayedScan scan, List<DelayedTree.Lane> lanes, int i) {
    if (i >= lanes.size()) {
      return CompletableFuture.completedFuture(null);
    }
    DelayedTree.Lane lane = lanes.get(i);
    if (scan.settledPriorities.contains(lane.priority())) {
      return hop(scan, () -> scanLanes(scan, lanes, i + 1));
    }
    if (lane.startMillis() > scan.now) {
      scan.due(lane.startMillis());
      scan.settledPriorities.add(lane.priority());
      return hop(scan, () -> scanLanes(scan, lanes, i + 1));
    }
    String lanePath = Paths.join(layout.delayed, lane.name());
    scan.read.add(lanePath);
    return children(scan, lanePath).thenCompose(names -> {
      List<Integer> windows = DelayedTree.windows(names);
      if (windows.isEmpty() && lane.startMillis() + DelayedTree.LANE_MILLIS <= scan.now) {
        deleteQuietly(lanePath);
      }
      return scanWindows(scan, lane, windows, 0);
    }).thenCompose(found -> found != null
        ? CompletableFuture.completedFuture(found) : hop(scan, () -> scanLanes(scan, lanes, i + 1)));
  }

  private CompletableFuture<DirListing> scanWindows(DelayedScan scan, DelayedTree.Lane lane, List<Integer> windows,
      int j) {
    if (j >= windows.size() || scan.settledPriorities.contains(lane.priority())) {
      return CompletableFuture.completedFuture(null);
    }
    long start = DelayedTree.windowStart(lane, windows.get(j));
    if (start > scan.now) {
      scan.due(start);
      scan.settledPriorities.add(lane.priority());
      return CompletableFuture.completedFuture(null);
    }
    String windowName = QueueDecisions.padded("w", windows.get(j), 3);
    String windowPath = Paths.join(Paths.join(layout.delayed, lane.name()), windowName);
    scan.read.add(windowPath);
    return children(scan, windowPath).thenCompose(names -> {
      List<DelayedTree.Bucket> buckets = DelayedTree.buckets(names);
      if (buckets.isEmpty() && start + DelayedTree.WINDOW_MILLIS <= scan.now) {
        deleteQuietly(windowPath);
      }
      return scanBuckets(scan, lane, windowName, start, buckets, 0);
    }).thenCompose(found -> found != null
        ? CompletableFuture.completedFuture(found) : hop(scan, () -> scanWindows(scan, lane, windows, j + 1)));
  }

  private CompletableFuture<DirListing> scanBuckets(DelayedScan scan, DelayedTree.Lane lane, String windowName,
      long windowStart, List<DelayedTree.Bucket> buckets, int k) {
    if (k >= buckets.size()) {
      return CompletableFuture.completedFuture(null);
    }
    DelayedTree.Bucket bucket = buckets.get(k);
    long start = DelayedTree.slotStart(windowStart, bucket.slot());
    if (start > scan.now) {
      scan.due(start);
      scan.settledPriorities.add(lane.priority());
      return CompletableFuture.completedFuture(null);
    }
    String dir = Paths.join(Paths.join(Paths.join(layout.delayed, lane.name()), windowName), bucket.name());
    scan.read.add(dir);
    return bucketListing(scan, dir, DelayedTree.label(lane.name(), windowName, bucket.name())).thenCompose(listing -> {
      scan.sawJobs(listing);
      if (listing.jobs() == 0 && start + DelayedTree.SLOT_MILLIS <= scan.now) {
        deleteQuietly(dir);
      }
      if (!listing.open().isEmpty()) {
        return CompletableFuture.completedFuture(listing);
      }
      return hop(scan, () -> scanBuckets(scan, lane, windowName, windowStart, buckets, k + 1));
    });
  }

  /** Deletes a drained directory of delayed jobs; a put into it meanwhile makes the delete fail, harmlessly. */
  private void deleteQuietly(String dir) {
    ops.delete(dir, -1).whenComplete((r, e) -> { });
  }

  /** The directories of delayed jobs the last listing read ({@code delayed/} and its due part), for the waiting line. */
  List<String> delayedRead() {
    return delayedRead;
  }

  /**
   * Offers {@code listing}'s jobs, or the due delayed jobs before them if this walk has not read
   * those yet; whether it offered any. A null listing offers nothing of its own.
   */
  private CompletableFuture<Boolean> offerAfterDelayed(Walk w, DirListing listing) {
    if (w.delayedPending == Boolean.FALSE) {
      return CompletableFuture.completedFuture(offer(listing == null ? DirListing.missing(null, null) : listing));
    }
    w.delayedPending = false;
    return listDelayed().thenApply(offered -> offered
        || offer(listing == null ? DirListing.missing(null, null) : listing));
  }

  /**
   * The earliest due time, in epoch millis on the client's clock, of a delayed job the last listing
   * saw not yet due; {@code Long.MAX_VALUE} if none. A waiting take looks again at that time.
   */
  long nextDueMillis() {
    return nextDueMillis;
  }

  private CompletableFuture<Void> listUnguarded() {
    listingsRead.incrementAndGet();
    boolean bucketsKnown;
    lock.lock();
    try {
      bucketsKnown = !buckets.isEmpty();
    } finally {
      lock.unlock();
    }
    Walk w = new Walk();
    CompletableFuture<Boolean> start = layout.legacyDrained && bucketsKnown
        ? CompletableFuture.completedFuture(false)
        : readLayout(w).thenCompose(ignored -> {
          if (layout.legacyDrained) {
            return CompletableFuture.completedFuture(true);
          }
          return readDir(layout.legacyJobs, null, false, false).thenCompose(listing -> {
            if (listing.jobs() <= 0) {
              layout.legacyDrained = true; // new versions never put there
              return CompletableFuture.completedFuture(true);
            }
            return offerAfterDelayed(w, listing).thenApply(offered -> offered ? null : true);
          });
        });
    return start.thenCompose(refreshed -> {
      if (refreshed == null) {
        return CompletableFuture.completedFuture(null); // the old layout's directory offered jobs
      }
      w.refreshed = refreshed;
      CompletableFuture<Void> done = new CompletableFuture<>();
      walk(w, done);
      return done;
    });
  }

  /**
   * Reads, in one round trip, the queue's own children (whether the old layout's directory and the
   * delayed jobs are there) and the list of buckets; a missing queue or bucket list reads as empty.
   */
  private CompletableFuture<Void> readLayout(Walk w) {
    return ops.multi(List.of(Op.getChildren(path), Op.getChildren(layout.pending))).handle((results, error) -> {
      if (error == null) {
        List<String> top = ((OpResult.GetChildrenResult) results.get(0)).children();
        sawTop(w, top);
        bucketsRead(QueueLayout.bucketIndexes(((OpResult.GetChildrenResult) results.get(1)).children()));
        return CompletableFuture.<Void>completedFuture(null);
      }
      Throwable cause = WorkQueue.unwrap(error);
      if (!(cause instanceof NoNodeException missing)) {
        return CompletableFuture.<Void>failedFuture(cause);
      }
      bucketsRead(List.of());
      if (missing.opIndex() == 0) {
        layout.legacyDrained = true; // no queue at all
        sawTop(w, List.of());
        return CompletableFuture.<Void>completedFuture(null);
      }
      return layout.childrenOrEmpty(path).thenAccept(top -> sawTop(w, top));
    }).thenCompose(f -> f);
  }

  /** Records what the queue's own children say: the old layout's directory, the claims', the delayed jobs'. */
  private void sawTop(Walk w, List<String> top) {
    if (!top.contains(Paths.name(layout.legacyJobs))) {
      layout.legacyDrained = true;
    }
    claimsMissing = !top.contains(Paths.name(claims));
    if (w.delayedPending != Boolean.FALSE) {
      w.delayedPending = top.contains(QueueLayout.DELAYED);
      if (!w.delayedPending) {
        nextDueMillis = Long.MAX_VALUE;
        delayedRead = List.of();
      }
    }
  }

  private void walk(Walk w, CompletableFuture<Void> done) {
    try {
      walkUnguarded(w, done);
    } catch (RuntimeException e) { // a request refused at once (the client closed): the take fails
      done.completeExceptionally(e);
    }
  }

  private void walkUnguarded(Walk w, CompletableFuture<Void> done) {
    Long next;
    long newestKnown;
    lock.lock();
    try {
      next = buckets.stream().filter(i -> !w.visited.contains(i)).findFirst().orElse(null);
      newestKnown = buckets.isEmpty() ? -1 : buckets.last();
    } finally {
      lock.unlock();
    }
    if (next == null) {
      if (w.refreshed) {
        offerAfterDelayed(w, null).whenComplete((offered, error) -> {
          if (error != null) {
            done.completeExceptionally(WorkQueue.unwrap(error));
          } else {
            done.complete(null);
          }
        });
        return;
      }
      layout.childrenOrEmpty(layout.pending).whenComplete((names, error) -> {
        if (error != null) {
          done.completeExceptionally(WorkQueue.unwrap(error));
          return;
        }
        bucketsRead(QueueLayout.bucketIndexes(names));
        w.refreshed = true;
        walk(w, done);
      });
      return;
    }
    w.visited.add(next);
    String bucket = QueueDecisions.bucketName(next);
    boolean withBuckets = !w.refreshed && next == newestKnown;
    readDir(layout.bucketPath(next), bucket, w.delayedPending == null, withBuckets).whenComplete((listing, error) -> {
      if (error != null) {
        done.completeExceptionally(WorkQueue.unwrap(error));
        return;
      }
      if (listing.top() != null) {
        sawTop(w, listing.top());
      }
      long newest = newestKnown;
      if (listing.buckets() != null) {
        List<Long> fresh = QueueLayout.bucketIndexes(listing.buckets());
        bucketsRead(fresh);
        w.refreshed = true;
        newest = fresh.isEmpty() ? newest : Math.max(newest, fresh.get(fresh.size() - 1));
      }
      if (listing.jobs() <= 0) {
        forget(next);
        if (listing.jobs() == 0 && next < newest) {
          // Drained and no longer the newest: producers have moved on. A late put into it makes
          // the delete fail (not empty); a producer that then finds it gone moves to the newest.
          ops.delete(layout.bucketPath(next), -1).whenComplete((r, e) -> { });
        }
        walkOn(w, done);
        return;
      }
      offerAfterDelayed(w, listing).whenComplete((offered, offerError) -> {
        if (offerError != null) {
          done.completeExceptionally(WorkQueue.unwrap(offerError));
        } else if (offered) {
          done.complete(null);
        } else {
          walkOn(w, done);
        }
      });
    });
  }

  /** Walks on to the next bucket: on this stack for a few buckets, then from the client's executor. */
  private void walkOn(Walk w, CompletableFuture<Void> done) {
    if (++w.depth < MAX_SYNC_DEPTH) {
      walk(w, done);
    } else {
      w.depth = 0;
      client.workExecutor().execute(() -> walk(w, done));
    }
  }

  private void forget(long bucket) {
    lock.lock();
    try {
      buckets.remove(bucket);
    } finally {
      lock.unlock();
    }
  }

  /** Replaces the candidates with those {@code listing} offers; whether there are any. */
  private boolean offer(DirListing listing) {
    lock.lock();
    try {
      candidates.clear();
      candidates.addAll(listing.open());
      candidateDir = listing.dir();
      candidateBucket = listing.bucket();
    } finally {
      lock.unlock();
    }
    return !listing.open().isEmpty();
  }

  /**
   * Reads a directory of jobs and the claims, in one read transaction (one round trip, and a
   * consistent pair); a missing claims' directory reads as no claims, a missing job directory as -1
   * jobs. {@code bucket} is the bucket's name, or null for the old layout's directory. With {@code
   * withTop} the same transaction reads the queue's own children, with {@code withBuckets} the list
   * of buckets (not where the claims' directory is missing).
   */
  private CompletableFuture<DirListing> readDir(String dir, String bucket, boolean withTop, boolean withBuckets) {
    if (claimsMissing) {
      return readDirAlone(dir, bucket);
    }
    List<Op> reads = new ArrayList<>(4);
    reads.add(Op.getChildren(dir));
    reads.add(Op.getChildren(claims));
    if (withTop) {
      reads.add(Op.getChildren(path));
    }
    if (withBuckets) {
      reads.add(Op.getChildren(layout.pending));
    }
    return ops.multi(reads).handle((results, error) -> {
      if (error == null) {
        List<String> jobList = ((OpResult.GetChildrenResult) results.get(0)).children();
        List<String> claimList = ((OpResult.GetChildrenResult) results.get(1)).children();
        DirListing listing = listing(dir, bucket, jobList, claimList);
        List<String> top = withTop ? ((OpResult.GetChildrenResult) results.get(2)).children() : null;
        List<String> buckets = withBuckets ? ((OpResult.GetChildrenResult) results.get(reads.size() - 1)).children() : null;
        return CompletableFuture.completedFuture(listing.with(top, buckets));
      }
      Throwable cause = WorkQueue.unwrap(error);
      if (cause instanceof NoNodeException missing && missing.opIndex() != 1) {
        // The directory is gone (or its parents: then it is too).
        return CompletableFuture.completedFuture(DirListing.missing(dir, bucket));
      }
      if (cause instanceof NoNodeException) { // the claims' directory is gone: nobody holds a claim
        claimsMissing = true;
        return readDirAlone(dir, bucket);
      }
      return CompletableFuture.<DirListing>failedFuture(cause);
    }).thenCompose(f -> f);
  }

  /** Reads a directory of jobs without the claims (their directory is missing). */
  private CompletableFuture<DirListing> readDirAlone(String dir, String bucket) {
    return ops.getChildren(dir, null).handle((children, dirError) -> {
      if (dirError == null) {
        return listing(dir, bucket, children.names(), List.of());
      }
      if (WorkQueue.unwrap(dirError) instanceof NoNodeException) {
        return DirListing.missing(dir, bucket);
      }
      throw new java.util.concurrent.CompletionException(WorkQueue.unwrap(dirError));
    });
  }

  private DirListing listing(String dir, String bucket, List<String> jobList, List<String> claimList) {
    Set<String> claimed = new HashSet<>();
    String prefix = bucket == null ? null : bucket + "-";
    for (String claim : claimList) {
      if (prefix == null) {
        claimed.add(claim);
      } else if (claim.startsWith(prefix)) {
        claimed.add(claim.substring(prefix.length()));
      }
    }
    if (DelayedTree.isDelayed(bucket)) {
      long[] next = {Long.MAX_VALUE};
      List<String> due = dueOrder(jobList, claimed, next);
      return new DirListing(jobList.size(), dir, bucket, due, null, null, jobList, next[0]);
    }
    List<String> order = QueueDecisions.claimOrder(jobList, claimed, salt, spread);
    if (events != null && bucket != null) {
      events.queueDepth(path, jobList.size());
    }
    return new DirListing(jobList.size(), dir, bucket, order);
  }

  /**
   * The delayed jobs due now (on the client's clock) and unclaimed: highest priority first, then
   * earliest due, then in the order they were put; puts the earliest due time still to come in
   * {@code next[0]}.
   */
  private List<String> dueOrder(List<String> jobList, Set<String> claimed, long[] next) {
    long now = client.timeSource().epochMillis();
    List<String> due = new ArrayList<>();
    for (String name : jobList) {
      long at = QueueDecisions.dueOf(name);
      if (at == Long.MAX_VALUE || QueueDecisions.sequence(name) == Long.MAX_VALUE) {
        continue; // not a delayed job's name
      }
      if (at > now) {
        next[0] = Math.min(next[0], at);
      } else if (!claimed.contains(name)) {
        due.add(name);
      }
    }
    due.sort(java.util.Comparator.comparingInt((String name) -> -QueueDecisions.priorityOf(name))
        .thenComparingLong(QueueDecisions::dueOf).thenComparingLong(QueueDecisions::sequence));
    return due;
  }

  private Candidate pollCandidate() {
    String name;
    String dir;
    String bucket;
    lock.lock();
    try {
      name = candidates.poll();
      dir = candidateDir;
      bucket = candidateBucket;
    } finally {
      lock.unlock();
    }
    return name == null ? null : new Candidate(Paths.join(dir, name), QueueDecisions.claimName(bucket, name));
  }

  /**
   * Claims the candidate's job; completes with null if someone else has it or it is gone. {@code
   * mayCreateDir}: whether the claim may be sent again after meeting the claims' directory missing
   * or, when it created the directory, already there (once per claim).
   */
  private CompletableFuture<Job> tryClaim(Candidate candidate, boolean mayCreateDir) {
    String jobPath = candidate.jobPath();
    String claimPath = Paths.join(claims, candidate.claimName());
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
        log.warn("queue {}: skipping foreign node {}: {}", path, jobPath, e.getMessage());
        return CompletableFuture.<Job>completedFuture(null);
      }
      long session = client.sessionId(); // the claim multi below binds to this session
      byte[] token = claimToken(session);
      // Where the claims' directory was seen missing, the claim creates it: one round trip.
      boolean withDir = claimsMissing;
      List<Op> claim = withDir
          ? List.of(Op.setData(jobPath, data.data(), data.stat().version()),
              Op.create(claims, new byte[0], layout.dirMode), Op.create(claimPath, token, CreateMode.EPHEMERAL))
          : List.of(Op.setData(jobPath, data.data(), data.stat().version()),
              Op.create(claimPath, token, CreateMode.EPHEMERAL));
      int claimIndex = claim.size() - 1;
      return ops.multi(claim).handle((results, claimError) -> {
        if (claimError == null) {
          claimsMissing = false;
          Stat stat = ((OpResult.SetDataResult) results.get(0)).stat();
          return CompletableFuture.completedFuture(
              job(candidate, payload, attempts, stat.mzxid(), stat.version(), session, token));
        }
        Throwable cause = WorkQueue.unwrap(claimError);
        if (withDir && cause instanceof NodeExistsException dirThere && dirThere.opIndex() == 1 && mayCreateDir) {
          claimsMissing = false; // someone created it meanwhile; nothing was applied
          return tryClaim(candidate, false);
        }
        if (cause instanceof NodeExistsException || cause instanceof BadVersionException) {
          // A retried claim whose first attempt went through lands here too: adopt it if the
          // claim node is ours, or the job would sit claimed by a live session that forgot it.
          return adoptIfOurs(candidate, payload, attempts, token, session);
        }
        if (!withDir && cause instanceof NoNodeException missing && missing.opIndex() == claimIndex && mayCreateDir) {
          // The claims' directory is gone (a container emptied); nothing was applied.
          claimsMissing = true;
          return tryClaim(candidate, false);
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
  private CompletableFuture<Job> adoptIfOurs(Candidate candidate, byte[] payload, int attempts, byte[] token,
      long session) {
    Unsettled maybe = new Unsettled(candidate, payload, attempts, token, session);
    String name = candidate.claimName();
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
      return ops.exists(candidate.jobPath(), null).handle((job, jobError) -> {
        if (jobError != null) {
          unsettled.put(name, maybe); // ours, but the job could not be read: the next take looks again
          return null;
        }
        return job == null ? null : job(candidate, payload, attempts, claim.stat().czxid(), job.version(), session, token);
      });
    }).thenCompose(f -> f);
  }

  private Job job(Candidate candidate, byte[] payload, int attempts, long zxid, int version, long session, byte[] token) {
    return new Job(candidate.claimName(), candidate.jobPath(), payload, attempts, new FencingToken(zxid), version,
        session, token, client, path);
  }

  /** A value no other claim attempt, in any process, writes: the session id and a counter. */
  private static byte[] claimToken(long session) {
    return ByteBuffer.allocate(16).putLong(session).putLong(CLAIM_COUNTER.incrementAndGet()).array();
  }
}
