package dev.cohort.bench.recipes;

import dev.cohort.inmemory.InMemoryBackend;
import dev.cohort.recipes.Cohort;
import dev.cohort.recipes.leader.LeaderLatch;
import dev.cohort.recipes.leader.LeaderLatchListener;
import dev.cohort.recipes.leader.LeadershipTerm;
import dev.cohort.recipes.locks.DistributedLock;
import dev.cohort.spi.CreateMode;
import dev.cohort.spi.Created;
import dev.cohort.spi.Session;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Scenario figures for the lock and leader recipes on the in-memory backend, measured the way the
 * Curator anchors in BENCHMARKS.md were: uncontended lock cycles, lock handoffs between sessions
 * (one thread per session, each looping acquire/release), and leader handover when the leader
 * closes its latch (3 sessions).
 *
 * <p>Run: {@code java -cp benchmarks/target/benchmarks.jar dev.cohort.bench.recipes.RecipeScenarios [seconds]}
 */
public final class RecipeScenarios {

  private RecipeScenarios() {}

  public static void main(String[] args) throws Exception {
    int seconds = args.length > 0 ? Integer.parseInt(args[0]) : 5;
    System.out.printf(Locale.ROOT, "Cohort recipes on the in-memory backend, %d s per figure%n", seconds);
    rawFloor(1); // warm-up
    uncontended(1);
    System.out.printf(Locale.ROOT, "backend floor, raw session create+getChildren+delete: %,.0f cycles/s%n", rawFloor(seconds));
    System.out.printf(Locale.ROOT, "uncontended lock acquire+release: %,.0f cycles/s%n", uncontended(seconds));
    handoffs(4, 1); // warm-up
    for (int sessions : new int[] {4, 16}) {
      System.out.printf(Locale.ROOT, "lock handoffs, %d sessions: %,.0f handoffs/s%n", sessions, handoffs(sessions, seconds));
    }
    handover(50); // warm-up
    double[] micros = handover(500);
    System.out.printf(Locale.ROOT, "leader handover on close (3 sessions, %d handovers): median %.3f ms, p99 %.3f ms, max %.3f ms%n",
        micros.length, percentile(micros, 50) / 1000, percentile(micros, 99) / 1000, micros[micros.length - 1] / 1000);
  }

  /** The same three requests as an uncontended lock cycle, sent raw on a session: the floor. */
  static double rawFloor(int seconds) throws Exception {
    try (InMemoryBackend backend = InMemoryBackend.create()) {
      Session session = backend.openSession().get();
      session.create("/floor", new byte[0], CreateMode.PERSISTENT).get();
      long cycles = 0;
      long start = System.nanoTime();
      long end = start + TimeUnit.SECONDS.toNanos(seconds);
      long now;
      do {
        for (int i = 0; i < 1000; i++) {
          Created c = session.create("/floor/lock-", new byte[0], CreateMode.EPHEMERAL_SEQUENTIAL).get();
          session.getChildren("/floor").get();
          session.delete(c.path(), -1).get();
        }
        cycles += 1000;
        now = System.nanoTime();
      } while (now < end);
      return cycles / ((now - start) / 1e9);
    }
  }

  static double uncontended(int seconds) throws InterruptedException {
    try (InMemoryBackend backend = InMemoryBackend.create(); Cohort client = started(backend)) {
      DistributedLock lock = new DistributedLock(client, "/locks/u");
      long cycles = 0;
      long start = System.nanoTime();
      long end = start + TimeUnit.SECONDS.toNanos(seconds);
      long now;
      do {
        for (int i = 0; i < 1000; i++) {
          lock.acquire();
          lock.release();
        }
        cycles += 1000;
        now = System.nanoTime();
      } while (now < end);
      return cycles / ((now - start) / 1e9);
    }
  }

  static double handoffs(int sessions, int seconds) throws Exception {
    try (InMemoryBackend backend = InMemoryBackend.create()) {
      List<Cohort> clients = new ArrayList<>();
      AtomicBoolean stop = new AtomicBoolean();
      AtomicLong count = new AtomicLong();
      List<Thread> threads = new ArrayList<>();
      CountDownLatch ready = new CountDownLatch(sessions);
      for (int s = 0; s < sessions; s++) {
        Cohort client = started(backend);
        clients.add(client);
        DistributedLock lock = new DistributedLock(client, "/locks/contended");
        Thread t = new Thread(() -> {
          ready.countDown();
          try {
            ready.await();
            while (!stop.get()) {
              lock.acquire();
              count.incrementAndGet();
              lock.release();
            }
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
          }
        }, "contender-" + s);
        threads.add(t);
        t.start();
      }
      ready.await();
      long before = count.get();
      long start = System.nanoTime();
      Thread.sleep(TimeUnit.SECONDS.toMillis(seconds));
      long after = count.get();
      long elapsed = System.nanoTime() - start;
      stop.set(true);
      for (Thread t : threads) {
        t.join(10_000);
      }
      clients.forEach(Cohort::close);
      return (after - before) / (elapsed / 1e9);
    }
  }

  /** Handover latencies in microseconds, sorted. */
  static double[] handover(int rounds) throws Exception {
    try (InMemoryBackend backend = InMemoryBackend.create()) {
      List<Cohort> clients = new ArrayList<>();
      for (int i = 0; i < 3; i++) {
        clients.add(started(backend));
      }
      AtomicLong gainedAt = new AtomicLong();
      CountDownLatch[] gained = {new CountDownLatch(1)};
      LeaderLatchListener listener = new LeaderLatchListener() {
        @Override
        public void isLeader(LeadershipTerm term) {
          gainedAt.set(System.nanoTime());
          gained[0].countDown();
        }

        @Override
        public void notLeader(LeadershipTerm term) {
        }
      };
      List<LeaderLatch> latches = new ArrayList<>();
      for (int i = 0; i < 3; i++) {
        latches.add(newLatch(clients.get(i), "p" + i, listener));
      }
      gained[0].await(10, TimeUnit.SECONDS);
      double[] micros = new double[rounds];
      for (int r = 0; r < rounds; r++) {
        LeaderLatch leader = latches.stream().filter(LeaderLatch::hasLeadership).findFirst().orElseThrow();
        int at = latches.indexOf(leader);
        gained[0] = new CountDownLatch(1);
        long closedAt = System.nanoTime();
        leader.close();
        if (!gained[0].await(10, TimeUnit.SECONDS)) {
          throw new IllegalStateException("no new leader after round " + r);
        }
        micros[r] = (gainedAt.get() - closedAt) / 1e3;
        // the old leader rejoins at the back of the line, as a restarted process would
        latches.set(at, newLatch(clients.get(at), "p" + at, listener));
      }
      latches.forEach(LeaderLatch::close);
      clients.forEach(Cohort::close);
      Arrays.sort(micros);
      return micros;
    }
  }

  private static LeaderLatch newLatch(Cohort client, String id, LeaderLatchListener listener) {
    LeaderLatch latch = LeaderLatch.builder(client, "/election").id(id).build();
    latch.addListener(listener);
    latch.start();
    return latch;
  }

  private static Cohort started(InMemoryBackend backend) throws InterruptedException {
    Cohort client = Cohort.builder(backend).namespace("/bench").sessionTimeout(Duration.ofSeconds(30)).build();
    client.start();
    return client;
  }

  private static double percentile(double[] sorted, int p) {
    int at = (int) Math.ceil(p / 100.0 * sorted.length) - 1;
    return sorted[Math.max(0, Math.min(at, sorted.length - 1))];
  }
}
