package dev.cohort.bench.replicated;

import dev.cohort.replicated.ReplicatedBackend;
import dev.cohort.spi.CreateMode;
import dev.cohort.spi.Session;
import dev.cohort.spi.SessionConfig;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Scenario benchmarks of the replicated backend (three in-process replicas, real-time driver, no
 * data directory): cluster start to first write, write throughput with 32 concurrent async
 * writers, read throughput, and leader crash to the next successful write. A plain {@code main}
 * harness, not JMH: each figure is a whole-system scenario. Prints one line per figure.
 *
 * <p>Usage: {@code java -cp benchmarks/target/benchmarks.jar
 * dev.cohort.bench.replicated.ReplicatedScenarios [seconds-per-throughput-run] [failover-rounds]}
 */
public final class ReplicatedScenarios {
  private static final int WRITERS = 32;
  private static final int IN_FLIGHT_PER_WRITER = 16;

  private ReplicatedScenarios() {}

  public static void main(String[] args) throws Exception {
    int seconds = args.length > 0 ? Integer.parseInt(args[0]) : 5;
    int rounds = args.length > 1 ? Integer.parseInt(args[1]) : 20;
    clusterStart(30);
    writeThroughput(seconds);
    readThroughput(seconds);
    failover(rounds);
  }

  /** Build a 3-replica cluster, open a session and create a node; median of {@code runs}. */
  static void clusterStart(int runs) {
    long[] startOnly = new long[runs];
    long[] toFirstWrite = new long[runs];
    for (int i = 0; i < runs; i++) {
      long t0 = System.nanoTime();
      try (ReplicatedBackend backend = ReplicatedBackend.create()) {
        startOnly[i] = System.nanoTime() - t0;
        Session s = backend.openSession(SessionConfig.withTimeout(Duration.ofSeconds(10))).join();
        s.create("/first", new byte[0], CreateMode.PERSISTENT).join();
        toFirstWrite[i] = System.nanoTime() - t0;
      }
    }
    System.out.printf("cluster start (build, 3 replicas): median %.2f ms%n", medianMillis(startOnly));
    System.out.printf("cluster start + connect + first create: median %.2f ms, max %.2f ms%n",
        medianMillis(toFirstWrite), maxMillis(toFirstWrite));
  }

  /** 32 sessions, each keeping up to 16 async setData calls in flight, for {@code seconds}. */
  static void writeThroughput(int seconds) throws InterruptedException {
    try (ReplicatedBackend backend = ReplicatedBackend.create()) {
      Session setup = backend.openSession(SessionConfig.withTimeout(Duration.ofSeconds(30))).join();
      for (int w = 0; w < WRITERS; w++) {
        setup.create("/w" + w, new byte[0], CreateMode.PERSISTENT).join();
      }
      long done = drive(backend, seconds, (s, w) -> s.setData("/w" + w, new byte[16], -1));
      System.out.printf("writes, 32 async writers (%d in flight each): %,d per s%n", IN_FLIGHT_PER_WRITER,
          done / seconds);
    }
  }

  /** The same shape with getData: reads are served by each session's own replica. */
  static void readThroughput(int seconds) throws InterruptedException {
    try (ReplicatedBackend backend = ReplicatedBackend.create()) {
      Session setup = backend.openSession(SessionConfig.withTimeout(Duration.ofSeconds(30))).join();
      setup.create("/r", new byte[16], CreateMode.PERSISTENT).join();
      long done = drive(backend, seconds, (s, w) -> s.getData("/r"));
      System.out.printf("reads, 32 async readers (%d in flight each): %,d per s%n", IN_FLIGHT_PER_WRITER,
          done / seconds);
    }
  }

  interface Call {
    java.util.concurrent.CompletableFuture<?> issue(Session session, int writer);
  }

  private static long drive(ReplicatedBackend backend, int seconds, Call call) throws InterruptedException {
    List<Session> sessions = new ArrayList<>();
    for (int w = 0; w < WRITERS; w++) {
      sessions.add(backend.openSession(SessionConfig.withTimeout(Duration.ofSeconds(30))).join());
    }
    AtomicLong completed = new AtomicLong();
    AtomicBoolean running = new AtomicBoolean(true);
    CountDownLatch finished = new CountDownLatch(WRITERS);
    for (int w = 0; w < WRITERS; w++) {
      int writer = w;
      Session s = sessions.get(w);
      Thread t = new Thread(() -> {
        Semaphore window = new Semaphore(IN_FLIGHT_PER_WRITER);
        try {
          while (running.get()) {
            window.acquire();
            call.issue(s, writer).whenComplete((r, e) -> {
              if (e == null) {
                completed.incrementAndGet();
              }
              window.release();
            });
          }
          window.acquire(IN_FLIGHT_PER_WRITER);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        } finally {
          finished.countDown();
        }
      });
      t.setDaemon(true);
      t.start();
    }
    Thread.sleep(500); // warm-up, not counted
    long before = completed.get();
    Thread.sleep(TimeUnit.SECONDS.toMillis(seconds));
    long counted = completed.get() - before;
    running.set(false);
    finished.await(10, TimeUnit.SECONDS);
    return counted;
  }

  /** Crash the leader, then time until a write succeeds again; restart it; repeat. */
  static void failover(int rounds) throws InterruptedException {
    long[] took = new long[rounds];
    try (ReplicatedBackend backend = ReplicatedBackend.create()) {
      Session s = backend.openSession(SessionConfig.withTimeout(Duration.ofSeconds(10))).join();
      s.create("/f", new byte[0], CreateMode.PERSISTENT).join();
      for (int i = 0; i < rounds; i++) {
        while (backend.faults().leader().isEmpty()) {
          Thread.sleep(1);
        }
        int leader = backend.faults().leader().getAsInt();
        long t0 = System.nanoTime();
        backend.faults().crash(leader);
        while (true) {
          try {
            s.setData("/f", new byte[] {(byte) i}, -1).get(5, TimeUnit.SECONDS);
            break;
          } catch (Exception e) {
            // ConnectionLoss while the session moves or no leader yet: try again at once
          }
        }
        took[i] = System.nanoTime() - t0;
        backend.faults().restart(leader);
        Thread.sleep(200); // let the restarted replica catch up before the next round
      }
    }
    System.out.printf("leader crash -> next successful write (%d rounds): median %.1f ms, max %.1f ms%n", rounds,
        medianMillis(took), maxMillis(took));
  }

  private static double medianMillis(long[] nanos) {
    long[] sorted = nanos.clone();
    Arrays.sort(sorted);
    return sorted[sorted.length / 2] / 1e6;
  }

  private static double maxMillis(long[] nanos) {
    return Arrays.stream(nanos).max().orElse(0) / 1e6;
  }
}
