package dev.cohort.recipes;

/**
 * What a {@link Cohort} client and its recipes report as they work, for metrics and tracing: bind
 * one with {@link Cohort.Builder#events(CohortEvents)} (the {@code cohort-micrometer} module
 * provides one for Micrometer). Every method has an empty default, so an implementation overrides
 * only what it records; events added later are added the same way.
 *
 * <h2>Contract for implementations</h2>
 * <ul>
 *   <li>Methods are called on whichever thread the event happens on: application threads, backend
 *       threads, the client's executors, and sometimes while a recipe holds its own internal lock.
 *       They must be thread-safe, quick and non-blocking, must not throw, and must not call back
 *       into the client or its recipes. Recording to a meter is the intended use.</li>
 *   <li>Paths are the recipe's path relative to the client's namespace (a lock's, a latch's, a
 *       queue's directory), never the name of a sequential node or a job: implementations can tag
 *       by them, or by a prefix of them, without unbounded cardinality as long as the application
 *       names its recipes so.</li>
 *   <li>Durations are nanoseconds on the client's {@link dev.cohort.spi.TimeSource}, so they
 *       follow a virtual clock in tests.</li>
 *   <li>A method that opens a span-like scope ({@link #operationStarted}, {@link
 *       #lockWaitStarted}) returns a context object, or null; the client hands it back, unchanged,
 *       to exactly one matching end call.</li>
 * </ul>
 *
 * <h2>Cost</h2>
 * With no listener bound (the default), recipes check one final field and do nothing else: no
 * clock reads, no allocation. With one bound, each event costs what the implementation costs.
 */
public interface CohortEvents {

  /** How a job claimed from a {@link dev.cohort.recipes.queue.WorkQueue} was settled. */
  enum JobOutcome {
    /** Completed and removed. */
    COMPLETED,
    /** Failed and put back at the tail of the queue for another attempt. */
    REQUEUED,
    /** Failed its last allowed attempt and moved to the dead letters. */
    DEAD_LETTERED,
    /** The claim was lost (its session ended, or someone else holds the job now). */
    CLAIM_LOST
  }

  /**
   * The client's connection state changed.
   *
   * @param previous the state before, or null for the first {@link ConnectionState#CONNECTED}
   * @param current the new state
   */
  default void connectionStateChanged(ConnectionState previous, ConnectionState current) {}

  /**
   * An operation of {@link Cohort#async()} (or {@link Cohort#blocking()}) is about to be sent, as
   * the application or a recipe asked for it (retries under the client's retry policy included).
   *
   * @param operation the operation's name: {@code create}, {@code delete}, {@code getData}, ...,
   *     the method name on {@link AsyncOps}
   * @return a context handed back to {@link #operationFinished}, or null
   */
  default Object operationStarted(String operation) {
    return null;
  }

  /**
   * An operation announced with {@link #operationStarted} has completed.
   *
   * @param context what {@link #operationStarted} returned
   * @param operation as given to {@link #operationStarted}
   * @param nanos how long it took
   * @param failure null on success, else why it failed (usually a {@link
   *     dev.cohort.spi.CoordinationException})
   */
  default void operationFinished(Object context, String operation, long nanos, Throwable failure) {}

  /**
   * A thread started to acquire a lock-like recipe (not a reentrant acquire, which sends nothing).
   *
   * @param kind the recipe: {@code lock}, ...
   * @param path the recipe's path
   * @return a context handed back to {@link #lockAcquired} or {@link #lockNotAcquired}, or null
   */
  default Object lockWaitStarted(String kind, String path) {
    return null;
  }

  /**
   * An acquire announced with {@link #lockWaitStarted} got the lock.
   *
   * @param context what {@link #lockWaitStarted} returned
   * @param kind as given to {@link #lockWaitStarted}
   * @param path as given to {@link #lockWaitStarted}
   * @param waitNanos from the start of the acquire until it held
   * @param contended whether it waited for, or found queued before it, another contender
   */
  default void lockAcquired(Object context, String kind, String path, long waitNanos, boolean contended) {}

  /**
   * An acquire announced with {@link #lockWaitStarted} ended without the lock.
   *
   * @param context what {@link #lockWaitStarted} returned
   * @param kind as given to {@link #lockWaitStarted}
   * @param path as given to {@link #lockWaitStarted}
   * @param waitNanos from the start of the acquire until it gave up
   * @param failure null if it timed out or a try found the lock taken; else what it threw
   */
  default void lockNotAcquired(Object context, String kind, String path, long waitNanos, Throwable failure) {}

  /**
   * A hold reported by {@link #lockAcquired} was released (the last reentrant release).
   *
   * @param kind the recipe
   * @param path the recipe's path
   * @param heldNanos from the acquisition until the release
   */
  default void lockReleased(String kind, String path, long heldNanos) {}

  /**
   * What a recipe holds for the application may be lost, is lost, or was confirmed again: the same
   * changes its {@link OwnershipListener}s hear, once per hold and change.
   *
   * @param kind the recipe
   * @param path the recipe's path
   * @param change what happened
   */
  default void ownershipChanged(String kind, String path, OwnershipListener.Change change) {}

  /**
   * A participant of a leader election gained or lost leadership (each reported term, as its
   * listeners hear it).
   *
   * @param path the election's path
   * @param gained true when a term began, false when it ended
   * @param termNanos when it ended, how long the term lasted; 0 when it began
   */
  default void leadershipChanged(String path, boolean gained, long termNanos) {}

  /**
   * A job was put on a work queue (the put succeeded).
   *
   * @param path the queue's path
   */
  default void jobPut(String path) {}

  /**
   * This client claimed a job from a work queue.
   *
   * @param path the queue's path
   */
  default void jobClaimed(String path) {}

  /**
   * A job this client claimed was settled.
   *
   * @param path the queue's path
   * @param outcome how
   */
  default void jobSettled(String path, JobOutcome outcome) {}

  /**
   * A fresh reading of how many jobs a work queue holds (pending and claimed), taken from a
   * listing or a stat the queue made anyway; no extra request is sent for it.
   *
   * @param path the queue's path
   * @param jobs the number of jobs
   */
  default void queueDepth(String path, int jobs) {}

  /**
   * A partition claimer took or gave up a partition.
   *
   * @param path the claimer's root path
   * @param assigned true when it took one, false when one was revoked (released or lost)
   */
  default void partitionMoved(String path, boolean assigned) {}

  /**
   * A cache read its node or children afresh.
   *
   * @param path the cached path
   * @param succeeded false if the read failed (the cache retries after the next reconnect)
   */
  default void cacheRefreshed(String path, boolean succeeded) {}
}
