package dev.cohort.bench.recipes;

import dev.cohort.recipes.Cohort;
import dev.cohort.recipes.leader.LeaderLatch;
import dev.cohort.recipes.leader.LeaderLatchListener;
import dev.cohort.recipes.leader.LeadershipTerm;
import dev.cohort.recipes.queue.Job;
import dev.cohort.recipes.queue.WorkQueue;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Recipe scenarios that several side-by-side benchmarks time the same way on different backends:
 * one leader handover, and a work queue drained by three workers while one producer fills it.
 */
public final class CohortScenarios {

  private CohortScenarios() {}

  /**
   * Ms from the leader's close to the next participant knowing it leads: {@code a} leads at
   * {@code path}, {@code b} queues behind it, then {@code a} leaves.
   */
  public static double leaderHandoverMillis(Cohort a, Cohort b, String path) throws InterruptedException {
    CountDownLatch aLeads = new CountDownLatch(1);
    CountDownLatch bLeads = new CountDownLatch(1);
    LeaderLatch la = LeaderLatch.builder(a, path).id("a").build();
    la.addListener(countsDown(aLeads));
    la.start();
    aLeads.await(30, TimeUnit.SECONDS);
    LeaderLatch lb = LeaderLatch.builder(b, path).id("b").build();
    lb.addListener(countsDown(bLeads));
    lb.start();
    while (lb.participants().size() < 2) {
      Thread.onSpinWait(); // b is in line once its node is listed
    }
    long t0 = System.nanoTime();
    la.close();
    bLeads.await(30, TimeUnit.SECONDS);
    double ms = (System.nanoTime() - t0) / 1e6;
    lb.close();
    return ms;
  }

  /**
   * Jobs/s from the first put to the last completion: {@code queues.get(0)} puts {@code jobs}
   * jobs of {@code data} while each other queue (one per client) takes and completes them.
   */
  public static double queueJobsPerSecond(List<WorkQueue> queues, int jobs, byte[] data) throws InterruptedException {
    return queueJobsPerSecond(queues, jobs, data, 1);
  }

  /**
   * {@link #queueJobsPerSecond(List, int, byte[])} with a producer that keeps up to {@code inFlight}
   * puts outstanding ({@link WorkQueue#putAsync}); 1 is the plain blocking put.
   */
  public static double queueJobsPerSecond(List<WorkQueue> queues, int jobs, byte[] data, int inFlight)
      throws InterruptedException {
    long t0 = System.nanoTime();
    Workers workers = new Workers(queues.subList(1, queues.size()), jobs);
    put(queues.get(0), jobs, data, inFlight);
    return jobs / ((workers.lastCompletion() - t0) / 1e9);
  }

  /**
   * Jobs/s of the workers ({@code queues} after the first) taking and completing a backlog of
   * {@code jobs} jobs that {@code queues.get(0)} put before the clock started.
   */
  public static double queueDrainJobsPerSecond(List<WorkQueue> queues, int jobs, byte[] data)
      throws InterruptedException {
    put(queues.get(0), jobs, data, 64);
    long t0 = System.nanoTime();
    Workers workers = new Workers(queues.subList(1, queues.size()), jobs);
    return jobs / ((workers.lastCompletion() - t0) / 1e9);
  }

  /** One thread per queue taking and completing jobs until {@code jobs} are completed between them. */
  private static final class Workers {
    private final AtomicInteger done = new AtomicInteger();
    private final AtomicLong lastCompletion = new AtomicLong();
    private final List<Thread> threads = new ArrayList<>();

    Workers(List<WorkQueue> queues, int jobs) {
      for (WorkQueue q : queues) {
        Thread t = new Thread(() -> {
          try {
            while (done.get() < jobs) {
              Optional<Job> job = q.take(Duration.ofMillis(200));
              if (job.isPresent() && q.complete(job.get()) && done.incrementAndGet() == jobs) {
                lastCompletion.set(System.nanoTime());
              }
            }
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
          }
        });
        threads.add(t);
        t.start();
      }
    }

    /** Waits for the threads to stop; the time the last job was completed. */
    long lastCompletion() throws InterruptedException {
      for (Thread t : threads) {
        t.join();
      }
      return lastCompletion.get();
    }
  }

  /** Puts {@code jobs} jobs, at most {@code inFlight} outstanding at a time, and waits for them all. */
  private static void put(WorkQueue queue, int jobs, byte[] data, int inFlight) throws InterruptedException {
    if (inFlight <= 1) {
      for (int i = 0; i < jobs; i++) {
        queue.put(data);
      }
      return;
    }
    Semaphore window = new Semaphore(inFlight);
    AtomicReference<Throwable> failed = new AtomicReference<>();
    for (int i = 0; i < jobs && failed.get() == null; i++) {
      window.acquire();
      queue.putAsync(data).whenComplete((id, error) -> {
        if (error != null) {
          failed.compareAndSet(null, error);
        }
        window.release();
      });
    }
    window.acquire(inFlight); // every put answered
    window.release(inFlight);
    if (failed.get() != null) {
      throw new IllegalStateException("a put failed", failed.get());
    }
  }

  private static LeaderLatchListener countsDown(CountDownLatch leads) {
    return new LeaderLatchListener() {
      @Override
      public void isLeader(LeadershipTerm term) {
        leads.countDown();
      }

      @Override
      public void notLeader(LeadershipTerm term) {}
    };
  }
}
