package dev.cohort.bench.queue;

import dev.cohort.inmemory.InMemoryBackend;
import dev.cohort.recipes.Cohort;
import dev.cohort.recipes.queue.Job;
import dev.cohort.recipes.queue.WorkQueue;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Work-queue throughput on the in-memory backend: 1 producer, 3 workers, 1000 jobs, each worker on
 * its own session (its own {@link Cohort} client), as in the anchor figure for Curator's
 * SimpleDistributedQueue (595 takes/s on ZooKeeper).
 *
 * <p>Four figures per round: puts/s by one producer into an empty queue; takes/s (take + process +
 * complete) by 3 workers draining the 1000 jobs; end to end, producer and workers running at once,
 * from the first put to the last completion; and, for reference, one worker draining 1000 jobs on
 * the caller's thread (the recipe's own cost without contention or thread handoffs). Prints the
 * median of the measured rounds.
 *
 * <p>Run: {@code java -cp benchmarks/target/benchmarks.jar dev.cohort.bench.queue.QueueThroughput [rounds [warm-up rounds]]}
 */
public final class QueueThroughput {
  private static final int JOBS = 1000;
  private static final int WORKERS = 3;
  private static final int DEFAULT_WARMUP_ROUNDS = 30;

  private QueueThroughput() {}

  public static void main(String[] args) throws Exception {
    int rounds = args.length > 0 ? Integer.parseInt(args[0]) : 10;
    int warmups = args.length > 1 ? Integer.parseInt(args[1]) : DEFAULT_WARMUP_ROUNDS;
    double[] puts = new double[rounds];
    double[] takes = new double[rounds];
    double[] endToEnd = new double[rounds];
    double[] single = new double[rounds];
    for (int round = -warmups; round < rounds; round++) {
      double[] r = round();
      if (round >= 0) {
        puts[round] = r[0];
        takes[round] = r[1];
        endToEnd[round] = r[2];
        single[round] = r[3];
      }
    }
    System.out.printf("work queue, in-memory, %d jobs, %d workers, median of %d rounds (after %d warm-up):%n",
        JOBS, WORKERS, rounds, warmups);
    System.out.printf("  put (1 producer)            %,10.0f jobs/s%n", median(puts));
    System.out.printf("  take+complete (3 workers)   %,10.0f jobs/s%n", median(takes));
    System.out.printf("  end to end (concurrent)     %,10.0f jobs/s   target >= 50,000; Curator on ZooKeeper: 595%n",
        median(endToEnd));
    System.out.printf("  take+complete (1 worker, caller's thread) %,10.0f jobs/s   (no contention, no thread handoff)%n",
        median(single));
  }

  /** One round on a fresh backend: {puts/s, takes/s, end-to-end jobs/s}. */
  private static double[] round() throws Exception {
    try (InMemoryBackend backend = InMemoryBackend.create()) {
      List<Cohort> clients = new ArrayList<>();
      try {
        Cohort producerClient = client(backend, clients);
        WorkQueue producer = WorkQueue.builder(producerClient, "/q").build();
        List<WorkQueue> workers = new ArrayList<>();
        for (int i = 0; i < WORKERS; i++) {
          workers.add(WorkQueue.builder(client(backend, clients), "/q").claimSpread(WORKERS, i).build());
        }

        long start = System.nanoTime();
        for (int i = 0; i < JOBS; i++) {
          producer.put(payload(i));
        }
        double putRate = JOBS / seconds(System.nanoTime() - start);

        start = System.nanoTime();
        AtomicLong lastCompletion = new AtomicLong();
        drain(workers, lastCompletion);
        double takeRate = JOBS / seconds(lastCompletion.get() - start);

        start = System.nanoTime();
        CountDownLatch done = new CountDownLatch(WORKERS);
        Thread[] threads = drainInBackground(workers, done, lastCompletion);
        for (int i = 0; i < JOBS; i++) {
          producer.put(payload(i));
        }
        done.await();
        double endToEndRate = JOBS / seconds(lastCompletion.get() - start);
        for (Thread t : threads) {
          t.join();
        }

        for (int i = 0; i < JOBS; i++) {
          producer.put(payload(i));
        }
        WorkQueue alone = workers.get(0);
        start = System.nanoTime();
        int taken = 0;
        while (taken < JOBS) {
          Optional<Job> job = alone.take(Duration.ofMillis(20));
          if (job.isPresent()) {
            consume(job.get());
            alone.complete(job.get());
            taken++;
          }
        }
        double singleRate = JOBS / seconds(System.nanoTime() - start);
        return new double[] {putRate, takeRate, endToEndRate, singleRate};
      } finally {
        clients.forEach(Cohort::close);
      }
    }
  }

  private static void drain(List<WorkQueue> workers, AtomicLong lastCompletion) throws InterruptedException {
    CountDownLatch finished = new CountDownLatch(WORKERS);
    Thread[] threads = drainInBackground(workers, finished, lastCompletion);
    finished.await();
    for (Thread t : threads) {
      t.join();
    }
  }

  /**
   * Starts one thread per worker; they stop once {@link #JOBS} jobs are completed between them. The
   * thread that completes the last job stores the time in {@code lastCompletion}: the figures stop
   * there, not when the last idle worker has noticed the end (that worker may be sitting in a take
   * with a 20 ms timeout, which would add up to 20 ms to a run of a few tens of milliseconds).
   */
  private static Thread[] drainInBackground(List<WorkQueue> workers, CountDownLatch done, AtomicLong lastCompletion) {
    AtomicInteger completed = new AtomicInteger();
    Thread[] threads = new Thread[workers.size()];
    for (int i = 0; i < workers.size(); i++) {
      WorkQueue queue = workers.get(i);
      threads[i] = new Thread(() -> {
        try {
          while (completed.get() < JOBS) {
            Optional<Job> job = queue.take(Duration.ofMillis(20));
            if (job.isPresent()) {
              consume(job.get());
              if (queue.complete(job.get()) && completed.incrementAndGet() == JOBS) {
                lastCompletion.set(System.nanoTime());
              }
            }
          }
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        } finally {
          done.countDown();
        }
      }, "worker-" + i);
      threads[i].start();
    }
    return threads;
  }

  private static volatile int sink;

  /** The "processing": touch the payload so the work is not optimised away. */
  private static void consume(Job job) {
    sink += job.payload().length;
  }

  private static byte[] payload(int i) {
    byte[] payload = new byte[64];
    Arrays.fill(payload, (byte) i);
    return payload;
  }

  private static Cohort client(InMemoryBackend backend, List<Cohort> clients) throws InterruptedException {
    Cohort client = Cohort.builder(backend).build();
    client.start();
    clients.add(client);
    return client;
  }

  private static double seconds(long nanos) {
    return nanos / 1e9;
  }

  private static double median(double[] values) {
    double[] sorted = values.clone();
    Arrays.sort(sorted);
    return sorted[sorted.length / 2];
  }
}
