package dev.cohort.recipes.queue;

import dev.cohort.recipes.AsyncOps;
import dev.cohort.recipes.Cohort;
import dev.cohort.recipes.CohortEvents;
import dev.cohort.recipes.ConnectionState;
import dev.cohort.recipes.ConnectionStateListener;
import dev.cohort.recipes.OwnedNode;
import dev.cohort.spi.CoordinationException;
import dev.cohort.spi.CreateMode;
import dev.cohort.spi.ErrorCode;
import dev.cohort.spi.NodeExistsException;
import dev.cohort.spi.Op;
import dev.cohort.spi.OpResult;
import dev.cohort.spi.Paths;
import dev.cohort.spi.Stat;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

/**
 * A distributed work queue with at-least-once processing: no job is lost when workers die.
 *
 * <h2>How it works</h2>
 * Under the queue's path: {@code pending/} holds the jobs in buckets, {@code pending/b-<index>/},
 * each a directory of at most about {@link #BUCKET_SIZE} persistent sequential job nodes; {@code
 * claims/} one ephemeral node per job being processed (named after the job: its {@link Job#id()}),
 * {@code dead/} the dead letters, {@code waiters/} one ephemeral sequential node per waiting
 * worker and {@code delayed/} the jobs put with a due time or a priority ({@link #put(byte[],
 * PutOptions)}), in buckets keyed by priority and due time (see {@link #put(byte[], PutOptions)});
 * due ones are taken before the pending jobs. These directories are containers where the backend
 * has them ({@link
 * dev.cohort.spi.Capability#CONTAINER_NODES}): an empty queue's directories go, and the queue
 * creates them again when it needs them, treating a missing one as empty. One exception: a put into
 * the bucket a producer knows, removed meanwhile, creates it again (and its missing parents) as
 * plain nodes, as any protected create of a persistent node does; such a bucket is deleted by a
 * worker once drained and no longer the newest.
 * <ul>
 *   <li>Producers put into the newest bucket; a producer whose put got a sequence number at or past
 *       the bucket size moves on to the next bucket, creating it. A bucket therefore holds at most
 *       {@link #BUCKET_SIZE} jobs plus one per put that was under way when it filled (every
 *       producer's, requeues included); the sequence counts every create in the bucket (on
 *       ZooKeeper deletes too), so a bucket may also fill with fewer.
 *   <li>Workers read the oldest bucket that has a job nobody claimed, never the whole queue; a
 *       bucket seen drained that is not the newest is deleted. So no request of a put or a take
 *       reads more than one bucket's names and the list of buckets (at most {@link
 *       #MAX_PENDING_JOBS} / {@link #BUCKET_SIZE} names), with the claims, whatever the queue's
 *       depth.
 *   <li>{@link #put} creates a job node with a protected create, in one transaction with a receipt
 *       that the producer's session keeps (see {@link AsyncOps#createProtected}): after a lost reply
 *       the receipt, not a search for the job node, tells whether the put went through, since a
 *       worker may already have taken and completed the job. One round trip in the common case.
 *   <li>A worker claims a job with one transaction that rewrites the job node (bumping its version)
 *       and creates the ephemeral claim node, whose data is a token of this claim attempt; the claim
 *       node makes the claim exclusive, and the version the transaction produced identifies this
 *       claim and no later one ({@link ClaimWalker}).
 *   <li>{@link #complete} deletes the claim node and the job node (at that version) in one
 *       transaction; {@link #fail} does the same and re-creates the job at the tail with one more
 *       attempt, or in {@code dead/} after {@code maxAttempts}. If the worker's session died, or
 *       another worker has claimed the job since, nothing changes.
 *   <li>When a session ends its claim nodes go with it, and the jobs are claimable again.
 *   <li>Waiting workers line up in {@code waiters/} ({@link WaiterLine}): a new job wakes the oldest
 *       waiter, and when it leaves the line the next one, never the whole crowd.
 * </ul>
 *
 * <h2>Invariants</h2>
 * <ul>
 *   <li>A put that returns added exactly one job. A put that throws may or may not have added it;
 *       one that throws with {@link CoordinationException#isOutcomeUnknown()} (the outcome could not
 *       be learnt before the producer's session ended, or the service stayed unreachable) says so.
 *   <li>Every job whose put returned is eventually completed or dead-lettered, as long as workers
 *       keep taking: a claim lives only as long as its worker's session.
 *   <li>{@link #complete} returns true only if this claim's completion took effect, and {@link #fail}
 *       reports {@link FailOutcome#REQUEUED} or {@link FailOutcome#DEAD_LETTERED} only if this
 *       claim's requeue did. After a lost reply the claim node decides, read on the claim's session
 *       while it lives: gone (only this claim's own transaction deletes it while its session lives)
 *       means applied, still there means not. A job node that is gone does not mean completed:
 *       another worker may have claimed and requeued it after this claim's session ended.
 *   <li>A job is acted on only through the queue it was taken from; another queue refuses it.
 * </ul>
 *
 * <h2>Queues written by older versions</h2>
 * Versions before the buckets kept every pending job in one flat directory, {@code jobs/}. Takes
 * read that directory first, as the oldest bucket, until they see it empty (it held at most 10,000
 * jobs, so its listing stays bounded); new puts and requeues never go there, and claims of its jobs
 * are named as older versions named them. Stop older producers before starting new workers: a job
 * an older producer puts after the new workers saw {@code jobs/} empty is taken only by a worker
 * started later (each new instance looks at {@code jobs/} once).
 *
 * <p>Versions before the delayed buckets kept every delayed job directly in {@code delayed/} (at
 * most 10,000 of them). Takes still read those: {@code delayed/}'s own children are listed at every
 * listing that reads delayed jobs (they are the lanes of the buckets, and the old jobs until they
 * are gone), and its due old jobs are taken first, by priority and due time, with the ids older
 * versions gave them; one that fails is requeued into the buckets. New puts never go there. Older
 * workers do not see jobs in the buckets: start new workers before new producers.
 *
 * <h2>Limits</h2>
 * The queue is for jobs, not a data stream. A queue holds at most {@link #MAX_PENDING_JOBS} pending
 * jobs, or a lower configured maximum; a job's
 * payload is at most {@link #DEFAULT_MAX_JOB_BYTES} bytes unless configured, and never more than
 * {@link #MAX_JOB_BYTES}. A put beyond either limit fails with {@link QueueFullException} or {@link
 * IllegalArgumentException} and adds nothing. A put reads the pending count first unless this
 * instance read it at most {@value #PUTS_PER_COUNT_READ} puts ago and found the queue less than half
 * full; so a producer mostly puts in one round trip, and concurrent producers can overshoot a full
 * queue by at most {@value #PUTS_PER_COUNT_READ} jobs each. The count read is exact while the
 * queue spans one bucket; beyond that it is an estimate that counts every bucket but the newest as
 * holding {@link #BUCKET_SIZE} jobs (too high while the oldest bucket drains, by up to a bucket).
 * {@link #size()} is exact and reads every bucket's count (one request per bucket).
 *
 * <p>Delayed and prioritized jobs are not counted against {@link #MAX_PENDING_JOBS}: each window
 * of due times (about 2 h 47 min, per priority) takes at least {@link #MAX_DELAYED_JOBS} of them
 * (it refuses a new bucket past 2,000 buckets: a thousand slots' first buckets and a thousand
 * more), so no listing a put or a take reads holds more than about 2,000 names. There is no cap
 * across windows: a put neither reads nor writes a count shared by all delayed jobs (that would
 * be a listing of every window, or a node every put and every take writes), so the service's
 * memory is the limit there. The cost of a delayed put, of a take of a due job and of a wait for
 * the next due job does not depend on how many delayed jobs there are ({@code
 * WorkQueueDelayedDepthTest}: the same requests with 10 and with 20,000 due one to thirty days
 * out).
 *
 * <p>Thread-safe: any number of threads may put, take, complete and fail concurrently.
 */
public final class WorkQueue implements AutoCloseable {

  /** The most pending jobs any queue may hold. */
  public static final int MAX_PENDING_JOBS = 1_000_000;
  /** Jobs per bucket (see the class comment): the longest listing a put or a take reads. */
  public static final int BUCKET_SIZE = 1000;
  /** The largest payload any queue accepts: 512 KiB. */
  public static final int MAX_JOB_BYTES = 512 * 1024;
  /** The default payload limit: 64 KiB. */
  public static final int DEFAULT_MAX_JOB_BYTES = 64 * 1024;
  /**
   * The delayed (or prioritized) jobs a queue takes, at least, with due times in any one window of
   * about 2 h 47 min and one priority (see the class comment's limits): as many as pending jobs.
   * Versions before the delayed buckets refused more than 10,000 delayed jobs in all.
   */
  public static final int MAX_DELAYED_JOBS = MAX_PENDING_JOBS;

  /** Puts an instance may make on one reading of the pending count, while the queue is under half full. */
  static final int PUTS_PER_COUNT_READ = 32;
  /** Misses in a row (candidate gone or claimed) after which a take lists the queue afresh. */
  static final int MAX_MISSES_BEFORE_RELIST = 2;
  /** Fresh listings a take may read because of misses before it walks one to its end. */
  static final int MAX_RELISTS = 4;
  /** Rounds a fail() sends its transaction again after outcomes that stayed unknown. */
  private static final int MAX_FAIL_ROUNDS = 5;

  private final Cohort client;
  private final AsyncOps ops;
  private final String path;
  private final QueueLayout layout;
  private final String claims;
  private final String dead;
  private final int maxAttempts;
  private final int maxJobBytes;
  private final int maxPendingJobs;
  private final ClaimWalker walker;
  private final WaiterLine line;
  private final ClaimCheck check;
  /** The client's event listener, or null. */
  private final CohortEvents events;

  /**
   * The pending count this instance last read (-1: none yet) and its puts since, packed as {@code
   * count << 32 | puts}, so that one compare-and-set keeps the pair consistent.
   */
  private final AtomicLong countReading = new AtomicLong(-1L << 32);

  /**
   * The bucket this instance puts into: its index, the largest sequence this instance got in it
   * (-1: none yet) and whether it is known to exist, with its path and name (built once, not at
   * every put). Null: not known, the bucket list is read.
   */
  private record Tail(long index, long lastSequence, boolean ensured, String dir, String name) {
    Tail(QueueLayout layout, long index, long lastSequence, boolean ensured) {
      this(index, lastSequence, ensured, layout.bucketPath(index), QueueDecisions.bucketName(index));
    }

    Tail next(long sequence) {
      return new Tail(index, sequence, true, dir, name);
    }
  }

  private final AtomicReference<Tail> tail = new AtomicReference<>();
  private final ConnectionStateListener stateListener = this::connectionChanged;
  private volatile boolean closed;

  private WorkQueue(Builder b) {
    this.client = b.client;
    this.ops = b.client.async();
    this.path = b.path;
    this.layout = new QueueLayout(b.client, path, b.bucketSize);
    this.claims = layout.claims;
    this.dead = layout.dead;
    this.maxAttempts = b.maxAttempts;
    this.maxJobBytes = b.maxJobBytes;
    this.maxPendingJobs = b.maxPendingJobs;
    long salt = b.salt != null ? b.salt : b.client.sessionId();
    this.walker = new ClaimWalker(layout, b.spread, salt);
    this.line = new WaiterLine(layout, walker);
    this.check = new ClaimCheck(client, claims);
    this.events = client.events().orElse(null);
  }

  /** A builder for the queue at {@code path} (a valid absolute path; its nodes are created when needed). */
  public static Builder builder(Cohort client, String path) {
    return new Builder(client, path);
  }

  /** The queue's path. */
  public String path() {
    return path;
  }

  // ---- producing ---------------------------------------------------------------------------

  /**
   * Adds a job and returns its id. A put that returns added exactly one job; a put that throws may
   * or may not have added it.
   *
   * <p>The id is the job node's name. In one rare case it is only the name's prefix, without the
   * sequence: when a lost reply hid the create and a worker had already taken the job (the job is
   * then added, once, and its name is no longer known).
   *
   * @throws IllegalArgumentException if the payload exceeds the job size limit (nothing is added)
   * @throws QueueFullException if the queue holds its maximum of pending jobs (nothing is added)
   * @throws CoordinationException if the service could not be reached within the retry policy, or
   *     the producer's session ended before the put's outcome could be learnt; with {@link
   *     CoordinationException#isOutcomeUnknown()} true, the job may have been added
   */
  public String put(byte[] payload) throws InterruptedException {
    // The same steps as putAsync, on the caller's thread: a future chain costs a put on a fast
    // backend about half its throughput (QueueThroughput).
    byte[] data = jobData(payload);
    boolean unread = mayPutUnread();
    Tail known = tail.get();
    Tail t = known != null && known.ensured() ? known : await(tailBucket());
    if (!unread) {
      readRoomBlocking(t);
    }
    String name = client.blocking()
        .createProtected(t.dir(), QueueDecisions.JOB_PREFIX, data, CreateMode.PERSISTENT_SEQUENTIAL)
        .name();
    afterPut(t.index(), name);
    if (events != null) {
      events.jobPut(path);
    }
    return QueueDecisions.claimName(t.name(), name);
  }

  /** {@link #put}, asynchronously; the size check still throws at once. */
  public CompletableFuture<String> putAsync(byte[] payload) {
    byte[] data = jobData(payload);
    boolean unread = mayPutUnread();
    CompletableFuture<String> put = tailBucket().thenCompose(t -> {
      CompletableFuture<Void> room = unread ? CompletableFuture.completedFuture(null) : readRoom(t);
      return room.thenCompose(ignored -> ops.createProtected(t.dir(), QueueDecisions.JOB_PREFIX, data,
          CreateMode.PERSISTENT_SEQUENTIAL)).thenApply(node -> {
            afterPut(t.index(), node.name());
            return QueueDecisions.claimName(t.name(), node.name());
          });
    });
    return events == null ? put : put.whenComplete((id, error) -> {
      if (error == null) {
        events.jobPut(path);
      }
    });
  }

  /**
   * Adds a job that no take claims before {@code delay} has passed on the client's clock, and
   * returns its id: {@code put(payload, PutOptions.defaults().withDelay(delay))}.
   *
   * @throws IllegalArgumentException if {@code delay} is negative or too long (see {@link
   *     PutOptions}), or the payload exceeds the job size limit (nothing is added)
   */
  public String put(byte[] payload, Duration delay) throws InterruptedException {
    return put(payload, PutOptions.defaults().withDelay(delay));
  }

  /**
   * Adds a job that no take claims before {@code notBefore} on the client's clock, and returns its
   * id: {@code put(payload, PutOptions.defaults().withNotBefore(notBefore))}.
   *
   * @throws IllegalArgumentException if {@code notBefore} is out of range (see {@link PutOptions}),
   *     or the payload exceeds the job size limit (nothing is added)
   */
  public String put(byte[] payload, Instant notBefore) throws InterruptedException {
    return put(payload, PutOptions.defaults().withNotBefore(notBefore));
  }

  /**
   * Adds a job with a due time and a priority, and returns its id. A put that returns added
   * exactly one job, as {@link #put(byte[])}; with {@link PutOptions#defaults()} it is that put.
   *
   * <p>Other jobs wait under {@code delayed/}, in buckets keyed by the priority and the due time
   * (epoch millis on the client's clock), which the job's name carries too: a lane per priority
   * and ~116 days, a window per ~2 h 47 min in it, and per 10 s slot in that a bucket of at most
   * about {@link #BUCKET_SIZE} jobs (more buckets when more jobs fall in one slot). A put names its
   * bucket from the due time: one round trip, plus, for a slot this instance has not put into,
   * the listing of the slot's window and the creation of the bucket. Takes claim the due jobs
   * before the pending ones: highest priority first, then earliest due (exactly within a bucket;
   * across the buckets of one slot, in the order they filled), then in the order they were put.
   * A take reads, per priority, only the buckets whose slots have begun (and the directories
   * above them), never those of later due times, so jobs due far ahead cost the takes of jobs due
   * now nothing. A take that waits wakes when the earliest delayed job it saw comes due, or a
   * bucket it has not read begins, on the client's clock, and when a delayed put lands in the
   * part of the tree it read. The due time is read on the producer's clock and compared with each
   * worker's, so their clocks should agree. A claimed job is completed and failed like any other;
   * a failed one is requeued due at once, with its priority if it has one above 0, else among the
   * pending jobs. See the class comment for the limits; {@link #size()} does not count these jobs.
   *
   * @throws IllegalArgumentException if a delay takes the due time out of range (see {@link
   *     PutOptions}), or the payload exceeds the job size limit (nothing is added)
   * @throws QueueFullException if the job's window of due times is full (see {@link
   *     #MAX_DELAYED_JOBS}), or for a plain put as {@link #put(byte[])} (nothing is added)
   * @throws CoordinationException as {@link #put(byte[])}
   */
  public String put(byte[] payload, PutOptions options) throws InterruptedException {
    return await(putAsync(payload, options));
  }

  /** {@link #put(byte[], PutOptions)}, asynchronously; the argument checks still throw at once. */
  public CompletableFuture<String> putAsync(byte[] payload, PutOptions options) {
    Objects.requireNonNull(options, "options");
    if (options.isPlain()) {
      return putAsync(payload);
    }
    long due = options.dueMillis(client.timeSource().epochMillis());
    String prefix = QueueDecisions.delayedPrefix(due, options.priority());
    byte[] data = jobData(payload);
    // A bucket gone since it was ensured (a container emptied) is created again, as plain nodes,
    // by the protected create; a walker deletes it once drained.
    CompletableFuture<String> put = putDelayed(options.priority(), due, prefix, data, true);
    return events == null ? put : put.whenComplete((id, error) -> {
      if (error == null) {
        events.jobPut(path);
      }
    });
  }

  /**
   * Creates a delayed job in its bucket. A create that met its bucket's parents missing (a walker
   * deleted a drained directory, past due, under this instance) applied nothing: it is made again
   * once, after the bucket is looked up afresh.
   */
  private CompletableFuture<String> putDelayed(int priority, long due, String prefix, byte[] data, boolean again) {
    return delayedBucket(priority, due).thenCompose(target ->
        ops.createProtected(target.dir(), prefix, data, CreateMode.PERSISTENT_SEQUENTIAL).handle((node, error) -> {
          if (error == null) {
            afterDelayedPut(target, node.name());
            return CompletableFuture.completedFuture(QueueDecisions.claimName(target.label(), node.name()));
          }
          Throwable cause = unwrap(error);
          if (again && isNoNode(cause)) {
            delayedTails.remove(target.key(), target);
            return putDelayed(priority, due, prefix, data, false);
          }
          return CompletableFuture.<String>failedFuture(cause);
        }).thenCompose(f -> f));
  }

  /**
   * The bucket a delayed put puts into, as {@link Tail} for the pending jobs: the slot's part this
   * instance last put into, or, for a slot it does not know, the newest part in a reading of the
   * slot's window (one listing of at most {@link DelayedTree#MAX_BUCKETS_PER_WINDOW} names).
   */
  private record DelayedTail(String key, String window, int slot, int part, boolean ensured, String dir,
      String label) {}

  /** The delayed buckets this instance puts into, by slot; forgotten wholesale when it grows past a bound. */
  private final java.util.concurrent.ConcurrentHashMap<String, DelayedTail> delayedTails =
      new java.util.concurrent.ConcurrentHashMap<>();
  private static final int MAX_DELAYED_TAILS = 256;

  private CompletableFuture<DelayedTail> delayedBucket(int priority, long due) {
    String lane = DelayedTree.laneName(priority, due);
    String windowName = DelayedTree.windowName(due);
    String window = Paths.join(Paths.join(layout.delayed, lane), windowName);
    int slot = DelayedTree.slotOf(due);
    String key = window + "/" + slot;
    DelayedTail known = delayedTails.get(key);
    if (known != null && known.ensured()) {
      return CompletableFuture.completedFuture(known);
    }
    CompletableFuture<DelayedTail> chosen;
    if (known != null) {
      // Moving on to a new part: it counts against the window's buckets.
      chosen = ops.exists(window, null).thenApply(stat -> {
        checkWindowRoom(window, statChildren(stat));
        return known;
      });
    } else {
      chosen = layout.childrenOrEmpty(window).thenApply(names -> {
        List<DelayedTree.Bucket> buckets = DelayedTree.buckets(names);
        int newest = DelayedTree.newestPart(buckets, slot);
        if (newest < 0) {
          checkWindowRoom(window, buckets.size());
        }
        return tailOf(key, window, lane, windowName, slot, Math.max(0, newest), false);
      });
    }
    return chosen.thenCompose(t -> layout.ensureDir(t.dir()).thenApply(ignored -> {
      DelayedTail ensured = new DelayedTail(t.key(), t.window(), t.slot(), t.part(), true, t.dir(), t.label());
      if (delayedTails.size() >= MAX_DELAYED_TAILS) {
        delayedTails.clear();
      }
      delayedTails.merge(key, ensured, (old, mine) -> old.part() > mine.part() ? old : mine);
      return ensured;
    }));
  }

  private DelayedTail tailOf(String key, String window, String lane, String windowName, int slot, int part,
      boolean ensured) {
    String bucket = DelayedTree.bucketName(slot, part);
    return new DelayedTail(key, window, slot, part, ensured, Paths.join(window, bucket),
        DelayedTree.label(lane, windowName, bucket));
  }

  /** Refuses a new bucket in a window that holds {@link DelayedTree#MAX_BUCKETS_PER_WINDOW} already. */
  private void checkWindowRoom(String window, int buckets) {
    if (buckets >= DelayedTree.MAX_BUCKETS_PER_WINDOW) {
      throw new QueueFullException("queue " + path + " holds " + buckets + " buckets of delayed jobs due in "
          + window + " (about " + MAX_DELAYED_JOBS + " jobs), its limit is " + DelayedTree.MAX_BUCKETS_PER_WINDOW);
    }
  }

  /** Moves this instance to the slot's next part once a put's sequence reached the bucket size. */
  private void afterDelayedPut(DelayedTail t, String name) {
    long sequence = QueueDecisions.sequence(name);
    if (sequence == Long.MAX_VALUE || sequence < layout.bucketSize - 1 || t.part() >= DelayedTree.MAX_PART) {
      return;
    }
    String lane = Paths.name(Paths.parent(t.window()));
    String windowName = Paths.name(t.window());
    delayedTails.replace(t.key(), t, tailOf(t.key(), t.window(), lane, windowName, t.slot(), t.part() + 1, false));
  }

  /**
   * The bucket this instance puts into, known to exist (created, as a container where the backend
   * has them, if not): the cached one, or the newest in a fresh reading of the bucket list (bucket 0
   * if there is none).
   */
  private CompletableFuture<Tail> tailBucket() {
    Tail known = tail.get();
    if (known != null && known.ensured()) {
      return CompletableFuture.completedFuture(known);
    }
    CompletableFuture<Long> index = known != null
        ? CompletableFuture.completedFuture(known.index())
        : layout.childrenOrEmpty(layout.pending).thenApply(names -> {
          List<Long> buckets = QueueLayout.bucketIndexes(names);
          return buckets.isEmpty() ? 0L : buckets.get(buckets.size() - 1);
        });
    return index.thenCompose(k -> {
      Tail ensured = known != null ? new Tail(k, -1, true, known.dir(), known.name()) : new Tail(layout, k, -1, true);
      return layout.ensureDir(ensured.dir()).thenApply(ignored -> {
        tail.compareAndSet(known, ensured);
        return ensured;
      });
    });
  }

  /**
   * Moves this instance on after a put into bucket {@code k} got node {@code name}: to the next
   * bucket once the sequence reached the bucket size, or to a fresh reading of the bucket list when
   * the sequence went back (the bucket was drained, removed and created again by this put).
   */
  private void afterPut(long k, String name) {
    long sequence = QueueDecisions.sequence(name);
    Tail known = tail.get();
    if (sequence == Long.MAX_VALUE || known == null || known.index() != k) {
      return; // the rare name without its sequence, or another put moved on already
    }
    Tail next;
    if (sequence >= layout.bucketSize - 1) {
      next = new Tail(layout, k + 1, -1, false);
    } else if (sequence < known.lastSequence()) {
      next = null;
    } else {
      next = known.next(sequence);
    }
    tail.compareAndSet(known, next);
  }

  /**
   * Reads the pending count (see the class comment) with bucket {@code t} taken as the newest, and
   * refuses the put if the queue is full: both counts in one read transaction, one round trip.
   * Where a directory is missing, or the old layout's may still hold jobs, it reads them one by one.
   */
  private CompletableFuture<Void> readRoom(Tail t) {
    if (!layout.legacyDrained) {
      return readRoomByExists(t.index());
    }
    return ops.multi(countReads(t)).handle((stats, error) -> {
      if (error == null) {
        roomFrom(stats);
        return CompletableFuture.<Void>completedFuture(null);
      }
      Throwable cause = unwrap(error);
      return isNoNode(cause) ? readRoomByExists(t.index()) : CompletableFuture.<Void>failedFuture(cause);
    }).thenCompose(f -> f);
  }

  /**
   * {@link #readRoom} on the caller's thread: no future whose completion a backend may hand to
   * another thread, which cost a put on the in-memory backend a thread wake-up every {@value
   * #PUTS_PER_COUNT_READ} puts.
   */
  private void readRoomBlocking(Tail t) throws InterruptedException {
    if (layout.legacyDrained) {
      try {
        roomFrom(client.blocking().multi(countReads(t)));
        return;
      } catch (CoordinationException e) {
        if (!isNoNode(e)) {
          throw e;
        }
      }
    }
    await(readRoomByExists(t.index()));
  }

  /** The read transaction of the two counts: the bucket list's stat and the newest bucket's. */
  private List<Op> countReads(Tail t) {
    return List.of(Op.getData(layout.pending), Op.getData(t.dir()));
  }

  private void roomFrom(List<OpResult> stats) {
    room(null, ((OpResult.GetDataResult) stats.get(0)).stat(), ((OpResult.GetDataResult) stats.get(1)).stat());
  }

  private static boolean isNoNode(Throwable t) {
    return t instanceof CoordinationException e && e.code() == ErrorCode.NO_NODE;
  }

  /** The counts read one by one (a missing directory reads as empty), and the old layout's too. */
  private CompletableFuture<Void> readRoomByExists(long k) {
    CompletableFuture<Stat> buckets = ops.exists(layout.pending, null);
    CompletableFuture<Stat> newest = ops.exists(layout.bucketPath(k), null);
    CompletableFuture<Stat> legacy = layout.legacyDrained
        ? CompletableFuture.completedFuture(null) : ops.exists(layout.legacyJobs, null);
    return CompletableFuture.allOf(buckets, newest, legacy)
        .thenAccept(ignored -> room(legacy.join(), buckets.join(), newest.join()));
  }

  /** Records the pending count these stats give (see the class comment) and refuses a put if full. */
  private void room(Stat old, Stat buckets, Stat newest) {
    if (old == null || old.numChildren() == 0) {
      layout.legacyDrained = true;
    }
    long count = (old == null ? 0 : old.numChildren())
        + (long) Math.max(0, statChildren(buckets) - 1) * layout.bucketSize
        + statChildren(newest);
    checkRoom((int) Math.min(Integer.MAX_VALUE, count));
  }

  private static int statChildren(Stat stat) {
    return stat == null ? 0 : stat.numChildren();
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

  /** Records a reading of the pending count and refuses the put if the queue is full. */
  private void checkRoom(int pending) {
    if (events != null) {
      events.queueDepth(path, pending);
    }
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
    return mayPutUnread(countReading, maxPendingJobs);
  }

  /** {@link #mayPutUnread()} for the reading {@code counter} of a count whose maximum is {@code max}. */
  private static boolean mayPutUnread(AtomicLong countReading, int maxPendingJobs) {
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

  /**
   * Pending jobs (claimed or not); a snapshot, exact per bucket. Reads the list of buckets and each
   * bucket's count: one request per bucket, so it costs more as the queue grows (puts and takes do
   * not). Jobs put with a delay or a priority ({@link PutOptions}) are not counted here.
   */
  public int size() throws InterruptedException {
    List<String> names = await(layout.childrenOrEmpty(layout.pending));
    List<CompletableFuture<Stat>> counts = new ArrayList<>();
    for (long bucket : QueueLayout.bucketIndexes(names)) {
      counts.add(ops.exists(layout.bucketPath(bucket), null));
    }
    counts.add(ops.exists(layout.legacyJobs, null));
    long pending = 0;
    for (CompletableFuture<Stat> count : counts) {
      pending += statChildren(await(count));
    }
    int size = (int) Math.min(Integer.MAX_VALUE, pending);
    if (events != null) {
      events.queueDepth(path, size);
    }
    return size;
  }

  /** The dead letters' ids, oldest first. */
  public List<String> deadLetters() throws InterruptedException {
    return await(layout.childrenOrEmpty(dead)).stream()
        .sorted(java.util.Comparator.comparingLong(QueueDecisions::sequence)).toList();
  }

  // ---- consuming ---------------------------------------------------------------------------

  /**
   * Claims the oldest job it can without waiting, or returns empty if none is free right now. The
   * future completes on a backend thread.
   */
  public CompletableFuture<Optional<Job>> tryTakeAsync() {
    requireOpen();
    CompletableFuture<Optional<Job>> taken = walker.tryTake();
    return events == null ? taken : taken.whenComplete((job, error) -> {
      if (job != null && job.isPresent()) {
        events.jobClaimed(path);
      }
    });
  }

  /**
   * Claims a job, waiting up to {@code timeout} (on the client's clock) for one to be put. Empty if
   * none came in time or the queue was closed meanwhile. A take that ends without a job, however it
   * ends (timeout, interrupt, close), leaves the waiting line and removes the watches it set.
   *
   * <p>Every wait of a take, for a job and for its own requests to the service, ends at its
   * deadline, and at once when the client's session is lost or the client is closed; a take whose
   * timeout is zero or less looks once, waiting for that one look's answer. A claim that lands for a
   * take that had stopped waiting is given back at once (the job is pending again and the waiting
   * takes are woken), never left claimed with nobody to process it.
   *
   * @throws IllegalStateException if the queue is already closed
   * @throws CoordinationException if the service could not be reached within the retry policy
   */
  public Optional<Job> take(Duration timeout) throws InterruptedException {
    Objects.requireNonNull(timeout, "timeout");
    requireOpen();
    Optional<Job> taken = line.take(timeout);
    if (events != null && taken.isPresent()) {
      events.jobClaimed(path);
    }
    return taken;
  }

  // ---- finishing ---------------------------------------------------------------------------

  /**
   * Removes a finished job, in one transaction with its claim, if the claim is still this one.
   *
   * <p>It does not give up while the claim's session lives: when the client's retry policy runs
   * out with the service unreachable, it waits for the connection and tries again. A claim left in
   * place by a caller that gave up would hold the job, unprocessed, for as long as the session
   * lasts.
   *
   * @return true if this claim's completion took effect; false if it did not (the claim was lost:
   *     the job is pending again, or in the hands of whoever claimed it next)
   * @throws IllegalArgumentException if {@code job} was taken from another queue (nothing changes)
   * @throws IllegalStateException if {@code job} was already completed, requeued or dead-lettered
   * @throws CoordinationException with {@link CoordinationException#isOutcomeUnknown()} true if the
   *     claim's session ended while the outcome of a completion already sent was unknown: the job
   *     may or may not have been completed by this claim
   * @throws InterruptedException if interrupted while waiting for the service: the completion may
   *     or may not have taken effect; while the claim's session lives, calling complete again tells
   */
  public boolean complete(Job job) throws InterruptedException {
    requireOwn(job);
    if (!client.isLiveSession(job.claimSession())) {
      return claimLost(false); // the claim went with its session: nothing this call sends could complete it
    }
    List<Op> done = completion(job);
    while (true) {
      CoordinationException failure;
      try {
        client.blocking().multi(done);
        settled(job, CohortEvents.JobOutcome.COMPLETED);
        return true;
      } catch (CoordinationException e) {
        failure = e;
      }
      if (client.isClosed()) {
        throw failure;
      }
      switch (check.afterFailure(job, failure)) {
        case APPLIED:
          settled(job, CohortEvents.JobOutcome.COMPLETED);
          return true;
        case NOT_APPLIED:
          return claimLost(false);
        case UNKNOWN:
          throw check.outcomeUnknown(job, failure);
        default:
          // Unreachable beyond the retry policy, the claim still alive: wait for the connection
          // and send again (the transaction is version-checked; a repeat that finds it done is
          // judged by the claim like any failure).
          client.awaitConnected(client.session().sessionTimeout());
      }
    }
  }

  /** The transaction that completes {@code job}: delete the claim and the job at its claimed version. */
  private List<Op> completion(Job job) {
    return List.of(Op.delete(Paths.join(claims, job.id()), -1), Op.delete(job.jobPath(), job.claimedVersion()));
  }

  /**
   * {@link #complete}, asynchronously, with one difference: this form fails with the service's
   * error once the client's retry policy gives up, and the claim then stays until its session ends.
   * A job from another queue, or one already handed back, is refused at once (thrown, as by
   * {@link #complete}).
   */
  public CompletableFuture<Boolean> completeAsync(Job job) {
    requireOwn(job);
    if (!client.isLiveSession(job.claimSession())) {
      return CompletableFuture.completedFuture(claimLost(false));
    }
    return ops.multi(completion(job)).handle((results, error) -> {
      if (error == null) {
        settled(job, CohortEvents.JobOutcome.COMPLETED);
        return CompletableFuture.completedFuture(true);
      }
      Throwable cause = unwrap(error);
      if (!(cause instanceof CoordinationException failure)) {
        return CompletableFuture.<Boolean>failedFuture(cause);
      }
      return check.afterFailureAsync(job, failure).thenCompose(verdict -> switch (verdict) {
        case APPLIED -> {
          settled(job, CohortEvents.JobOutcome.COMPLETED);
          yield CompletableFuture.completedFuture(true);
        }
        case NOT_APPLIED -> CompletableFuture.completedFuture(claimLost(false));
        case UNKNOWN -> CompletableFuture.<Boolean>failedFuture(check.outcomeUnknown(job, failure));
        default -> CompletableFuture.<Boolean>failedFuture(failure);
      });
    }).thenCompose(f -> f);
  }

  /**
   * Gives a job back after a failed attempt: requeued at the tail with its attempt count raised, or
   * moved to the dead letters once it has failed {@code maxAttempts} times. Acts only if the claim
   * is still this one.
   *
   * @throws IllegalArgumentException if {@code job} was taken from another queue (nothing changes)
   * @throws IllegalStateException if {@code job} was already completed, requeued or dead-lettered
   * @throws QueueFullException if a job with a priority, requeued due at once with it, finds that
   *     window of due times full (see {@link #MAX_DELAYED_JOBS}); nothing changes, the claim stays
   * @throws CoordinationException with {@link CoordinationException#isOutcomeUnknown()} true if the
   *     outcome could not be learnt (the claim's session ended meanwhile, or the service stayed
   *     unreachable): the job may or may not have been requeued
   */
  public FailOutcome fail(Job job) throws InterruptedException {
    requireOwn(job);
    if (!client.isLiveSession(job.claimSession())) {
      return claimLost(FailOutcome.CLAIM_LOST);
    }
    int failures = job.attempts() + 1;
    boolean toDead = failures >= maxAttempts;
    FailOutcome done = toDead ? FailOutcome.DEAD_LETTERED : FailOutcome.REQUEUED;
    // A prioritized job is requeued with its priority, due at once; any other among the pending jobs.
    int priority = job.jobPath().startsWith(layout.delayed + "/") ? QueueDecisions.priorityOf(job.id()) : 0;
    boolean toDelayed = !toDead && priority > 0;
    long bucket = toDead || toDelayed ? -1 : await(tailBucket()).index();
    long now = client.timeSource().epochMillis();
    DelayedTail delayedTarget = toDelayed ? await(delayedBucket(priority, now)) : null;
    String target = toDead ? dead : toDelayed ? delayedTarget.dir() : layout.bucketPath(bucket);
    String prefix = toDelayed ? QueueDecisions.delayedPrefix(now, priority) : QueueDecisions.JOB_PREFIX;
    List<Op> requeue = List.of(
        Op.delete(Paths.join(claims, job.id()), -1),
        Op.delete(job.jobPath(), job.claimedVersion()),
        Op.create(Paths.join(target, prefix),
            Job.encode(failures, job.payloadUnsafe()), CreateMode.PERSISTENT_SEQUENTIAL));
    boolean send = true;
    boolean targetCreated = false;
    CoordinationException failure = null;
    for (int round = 0; ; round++) {
      if (send) {
        try {
          // A transaction with a sequential create is sent once: a blind retry could requeue twice.
          List<OpResult> results = await(ops.multi(requeue));
          String created = Paths.name(((OpResult.CreateResult) results.get(2)).path());
          if (bucket >= 0) {
            afterPut(bucket, created);
          } else if (delayedTarget != null) {
            afterDelayedPut(delayedTarget, created);
          }
          settled(job, toDead ? CohortEvents.JobOutcome.DEAD_LETTERED : CohortEvents.JobOutcome.REQUEUED);
          return done;
        } catch (CoordinationException e) {
          failure = e;
        }
        if (!failure.isOutcomeUnknown()) {
          // Definitive: nothing of it applied, and no earlier round of this call did either (each
          // unknown outcome was learnt from the claim before sending again).
          if (failure.code() == ErrorCode.NO_NODE && failure.opIndex() == 2 && !targetCreated) {
            // The target directory is gone (a container emptied, or a drained bucket deleted).
            await(layout.ensureDir(target));
            targetCreated = true;
            continue;
          }
          if (failure.isSessionGone() || failure.code() == ErrorCode.NO_NODE || failure.code() == ErrorCode.BAD_VERSION) {
            return claimLost(FailOutcome.CLAIM_LOST);
          }
          throw failure;
        }
      }
      ClaimCheck.Verdict verdict = check.afterFailure(job, failure);
      switch (verdict) {
        case APPLIED:
          settled(job, toDead ? CohortEvents.JobOutcome.DEAD_LETTERED : CohortEvents.JobOutcome.REQUEUED);
          return done;
        case NOT_APPLIED:
          return claimLost(FailOutcome.CLAIM_LOST);
        case UNKNOWN:
          throw check.outcomeUnknown(job, failure);
        default:
          if (round >= MAX_FAIL_ROUNDS || client.isClosed()) {
            throw failure;
          }
          send = verdict == ClaimCheck.Verdict.STILL_OURS; // unreadable: look again before sending
          client.awaitConnected(client.session().sessionTimeout());
      }
    }
  }

  /** Marks {@code job} settled (so it cannot be handed back twice) and reports how. */
  private void settled(Job job, CohortEvents.JobOutcome outcome) {
    job.settled(switch (outcome) {
      case COMPLETED -> "completed";
      case DEAD_LETTERED -> "dead-lettered";
      case REQUEUED -> "requeued";
      case CLAIM_LOST -> throw new IllegalArgumentException("a lost claim is not settled here");
    });
    if (events != null) {
      events.jobSettled(path, outcome);
    }
  }

  /** Reports a claim found lost by a completion or a failure, and returns {@code result}. */
  private <T> T claimLost(T result) {
    if (events != null) {
      events.jobSettled(path, CohortEvents.JobOutcome.CLAIM_LOST);
    }
    return result;
  }

  /** Refuses a job taken from another queue: acting on it here could only miss, or hit the wrong node. */
  private void requireOwn(Job job) {
    Objects.requireNonNull(job, "job");
    if (job.client() != client || !job.queuePath().equals(path)) {
      throw new IllegalArgumentException("job " + job.id() + " was taken from queue " + job.queuePath()
          + (job.client() != client ? " of another client" : "") + ", not from queue " + path
          + ": hand it back to the queue it came from");
    }
    job.requireUnsettled();
  }

  // ---- lifecycle ---------------------------------------------------------------------------

  /**
   * Stops this instance: waiting takes return empty, leaving the line and removing their watches.
   * Jobs and claims stay as they are.
   */
  @Override
  public void close() {
    closed = true;
    client.removeConnectionStateListener(stateListener);
    line.close();
  }

  int waitingTakes() {
    return line.waitingTakes();
  }

  int takesAwaitingRequests() {
    return line.takesAwaitingRequests();
  }

  long watchWakeUps() {
    return line.watchWakeUps();
  }

  long claimMisses() {
    return walker.claimMisses();
  }

  long listingsRead() {
    return walker.listingsRead();
  }

  private void connectionChanged(Cohort c, ConnectionState state) {
    // After a loss our waiter nodes and claims are gone; after any reconnect watches may have
    // been missed. Waiting takes look again.
    if (state == ConnectionState.LOST) {
      walker.invalidateCandidates();
      line.sessionLost();
    } else if (state == ConnectionState.RECONNECTED) {
      walker.invalidateCandidates();
      line.wakeAll();
    }
  }

  private void requireOpen() {
    if (closed) {
      throw new IllegalStateException("queue " + path + " is closed");
    }
  }

  static <T> T await(CompletableFuture<T> future) throws InterruptedException {
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

  static Throwable unwrap(Throwable t) {
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
    private int bucketSize = BUCKET_SIZE;
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

    /** Jobs per bucket; tests use small buckets to reach many of them quickly. */
    Builder bucketSize(int bucketSize) {
      if (bucketSize < 1) {
        throw new IllegalArgumentException("bucketSize must be at least 1: " + bucketSize);
      }
      this.bucketSize = bucketSize;
      return this;
    }

    /**
     * Returns the queue. It creates no node: puts, claims and waits create the directories they
     * need (see the class comment), so an empty queue leaves none behind where the backend has
     * containers.
     *
     * @throws InterruptedException never thrown now; kept so that a build that reads the service
     *     may come back without breaking callers
     */
    public WorkQueue build() throws InterruptedException {
      WorkQueue queue = new WorkQueue(this);
      client.addConnectionStateListener(queue.stateListener);
      return queue;
    }
  }
}
