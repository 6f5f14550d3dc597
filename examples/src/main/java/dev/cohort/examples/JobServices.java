package dev.cohort.examples;

import dev.cohort.recipes.Cohort;
import dev.cohort.recipes.leader.LeaderLatch;
import dev.cohort.recipes.leader.LeaderLatchListener;
import dev.cohort.recipes.leader.LeadershipTerm;
import dev.cohort.recipes.queue.Job;
import dev.cohort.recipes.queue.QueueFullException;
import dev.cohort.recipes.queue.WorkQueue;
import dev.cohort.spi.ConnectionLossException;
import dev.cohort.spi.CoordinationException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Optional;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;

/**
 * The services of the jobs demo. A scheduler instance competes for leadership with a {@link
 * LeaderLatch}; while it leads it moves jobs from the submission queue to the work queue, keeping
 * the work queue's backlog bounded. A worker takes jobs from the work queue, "processes" them
 * (waits the configured time; fails a small share on purpose) and completes them. Each service has
 * a client of its own: in effect its own process.
 */
final class JobServices {
  private JobServices() {}

  static final String SUBMITTED = "/queues/submitted";
  static final String WORK = "/queues/work";
  static final String SCHEDULER_LATCH = "/scheduler/leader";

  static String text(Job job) {
    return new String(job.payload(), StandardCharsets.UTF_8);
  }

  /** What the services report to the demo's observer. */
  interface Observer {
    void processing(String jobId, String worker);

    void completed(String jobId, String worker);

    void failedAttempt(String jobId, String worker);

    void finishedProcessing();

    void schedulerElected(String scheduler, LeadershipTerm term);
  }

  /** A thread running a service loop until stopped. */
  abstract static class Service implements Runnable {
    final String name;
    final Cohort client;
    final Observer observer;
    private final Thread thread;
    volatile boolean running = true;

    Service(String name, Cohort client, Observer observer) {
      this.name = name;
      this.client = client;
      this.observer = observer;
      this.thread = new Thread(this, name);
      this.thread.setDaemon(true);
    }

    void start() {
      thread.start();
    }

    /** Asks the loop to stop after its current job and waits (bounded) for it. */
    void stopGracefully(Duration timeout) throws InterruptedException {
      running = false;
      thread.join(timeout.toMillis());
    }

    /** Stops the loop at once: a crash. The caller kills the client's session. */
    void crash() {
      running = false;
      thread.interrupt();
    }

    void join(Duration timeout) throws InterruptedException {
      thread.join(timeout.toMillis());
    }
  }

  /** Moves jobs from the submission queue to the work queue while it leads. */
  static final class Scheduler extends Service implements LeaderLatchListener {
    private final LeaderLatch latch;
    private final WorkQueue submitted;
    private final WorkQueue work;

    Scheduler(String name, Cohort client, Observer observer, int backlog) throws InterruptedException {
      super(name, client, observer);
      this.submitted = WorkQueue.builder(client, SUBMITTED).build();
      this.work = WorkQueue.builder(client, WORK).maxPendingJobs(backlog).build();
      this.latch = LeaderLatch.builder(client, SCHEDULER_LATCH).id(name).build();
      latch.addListener(this);
    }

    @Override
    void start() {
      latch.start();
      super.start();
    }

    boolean leads() {
      return latch.hasLeadership();
    }

    @Override
    public void isLeader(LeadershipTerm term) {
      observer.schedulerElected(name, term);
    }

    @Override
    public void notLeader(LeadershipTerm term) {
      // the loop checks hasLeadership() before every move
    }

    @Override
    public void run() {
      while (running) {
        try {
          if (!latch.await(Duration.ofMillis(100))) {
            continue;
          }
          Optional<Job> job = submitted.take(Duration.ofMillis(100));
          if (job.isEmpty()) {
            continue;
          }
          if (!latch.hasLeadership()) {
            submitted.fail(job.get()); // lost leadership while taking: hand it back
            continue;
          }
          handOut(job.get());
        } catch (InterruptedException e) {
          return;
        } catch (CoordinationException | IllegalStateException e) {
          // session lost or service unreachable for a moment: the latch and queue recover
          pause(20);
        }
      }
    }

    /**
     * Puts the job on the work queue, then completes it on the submission queue. A crash between
     * the two leaves it in both: the next scheduler hands it out again (at least once, never lost).
     */
    private void handOut(Job job) throws InterruptedException {
      while (running) {
        try {
          untilDefinite(() -> work.put(job.payload()));
          untilDefinite(() -> submitted.complete(job));
          return;
        } catch (QueueFullException e) {
          pause(5); // backpressure: workers are behind
        }
      }
    }
  }

  /** Takes jobs from the work queue, processes and completes them. */
  static final class Worker extends Service {
    private final WorkQueue work;
    private final Duration workTime;
    private final double failRate;
    private final Random random;
    final String version;
    final AtomicInteger completedHere = new AtomicInteger();

    Worker(String name, String version, Cohort client, Observer observer, Duration workTime, double failRate,
        long seed, int index, int spread) throws InterruptedException {
      super(name, client, observer);
      this.version = version;
      this.work = WorkQueue.builder(client, WORK).maxAttempts(10).claimSpread(spread, index).build();
      this.workTime = workTime;
      this.failRate = failRate;
      this.random = new Random(seed);
    }

    @Override
    public void run() {
      while (running) {
        try {
          Optional<Job> job = work.take(Duration.ofMillis(100));
          if (job.isEmpty()) {
            continue;
          }
          process(job.get());
        } catch (InterruptedException e) {
          return;
        } catch (CoordinationException | IllegalStateException e) {
          pause(20);
        }
      }
    }

    private void process(Job job) throws InterruptedException {
      String id = text(job);
      observer.processing(id, name);
      try {
        if (!workTime.isZero()) {
          Thread.sleep(workTime.toMillis(), workTime.toNanosPart() % 1_000_000); // the "work"
        }
        if (random.nextDouble() < failRate) {
          observer.failedAttempt(id, name);
          untilDefinite(() -> work.fail(job));
        } else {
          // The job's effect is done now. Record it before acknowledging: a worker killed between
          // the two has still done the job (its acknowledgement may even have reached the queue),
          // and at-least-once means another worker may do it again, counted as a duplicate.
          completedHere.incrementAndGet();
          observer.completed(id, name);
          untilDefinite(() -> work.complete(job));
        }
      } finally {
        observer.finishedProcessing();
      }
    }
  }

  /** A queue call that may throw InterruptedException. */
  interface QueueCall<T> {
    T call() throws InterruptedException;
  }

  /**
   * Repeats {@code call} while its outcome is unknown (ConnectionLoss: the service was unreachable
   * longer than the client's retries, e.g. while a replica crash moves the session). Giving up
   * instead would leave a claim held by this live session that nobody works on; the queue's
   * complete and fail are safe to repeat (they act only on this claim). Session loss ends it: the
   * claim went with the session.
   */
  static <T> T untilDefinite(QueueCall<T> call) throws InterruptedException {
    for (int attempt = 0; ; attempt++) {
      try {
        return call.call();
      } catch (ConnectionLossException e) {
        if (attempt >= 50) {
          throw e;
        }
        pause(20);
      }
    }
  }

  static void pause(long millis) {
    LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(millis));
  }
}
