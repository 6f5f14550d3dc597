package dev.cohort.bench.recipes;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.CuratorFrameworkFactory;
import org.apache.curator.framework.recipes.leader.LeaderLatch;
import org.apache.curator.framework.recipes.leader.LeaderLatchListener;
import org.apache.curator.framework.recipes.locks.InterProcessMutex;
import org.apache.curator.retry.RetryOneTime;
import org.apache.curator.test.TestingServer;

/**
 * The peer, measured side by side with {@link RecipeScenarios} in the same way: Curator's
 * InterProcessMutex and LeaderLatch on an embedded ZooKeeper server ({@code TestingServer}). Run
 * both in one sitting and compare ratios, not absolute figures (BENCHMARKS.md).
 *
 * <p>Run: {@code java -cp benchmarks/target/benchmarks.jar dev.cohort.bench.recipes.CuratorScenarios [seconds]}
 */
public final class CuratorScenarios {

  private CuratorScenarios() {}

  public static void main(String[] args) throws Exception {
    int seconds = args.length > 0 ? Integer.parseInt(args[0]) : 5;
    try (TestingServer server = new TestingServer(true)) {
      System.out.printf(Locale.ROOT, "Curator on an embedded ZooKeeper, %d s per figure%n", seconds);
      System.out.printf(Locale.ROOT, "uncontended InterProcessMutex acquire+release: %,.0f cycles/s%n",
          uncontended(server, seconds));
      for (int sessions : new int[] {4, 16}) {
        System.out.printf(Locale.ROOT, "InterProcessMutex handoffs, %d sessions: %,.0f handoffs/s%n", sessions,
            handoffs(server, sessions, seconds));
      }
      double[] micros = handover(server, 50);
      System.out.printf(Locale.ROOT, "LeaderLatch handover on close (3 sessions, %d handovers): median %.3f ms, max %.3f ms%n",
          micros.length, micros[micros.length / 2] / 1000, micros[micros.length - 1] / 1000);
    }
  }

  private static CuratorFramework client(TestingServer server) {
    CuratorFramework c = CuratorFrameworkFactory.newClient(server.getConnectString(), new RetryOneTime(10));
    c.start();
    return c;
  }

  static double uncontended(TestingServer server, int seconds) throws Exception {
    try (CuratorFramework c = client(server)) {
      InterProcessMutex mutex = new InterProcessMutex(c, "/locks/u");
      long cycles = 0;
      long start = System.nanoTime();
      long end = start + TimeUnit.SECONDS.toNanos(seconds);
      long now;
      do {
        mutex.acquire();
        mutex.release();
        cycles++;
        now = System.nanoTime();
      } while (now < end);
      return cycles / ((now - start) / 1e9);
    }
  }

  static double handoffs(TestingServer server, int sessions, int seconds) throws Exception {
    List<CuratorFramework> clients = new ArrayList<>();
    List<Thread> threads = new ArrayList<>();
    AtomicBoolean stop = new AtomicBoolean();
    AtomicLong count = new AtomicLong();
    for (int s = 0; s < sessions; s++) {
      CuratorFramework c = client(server);
      clients.add(c);
      InterProcessMutex mutex = new InterProcessMutex(c, "/locks/contended");
      Thread t = new Thread(() -> {
        try {
          while (!stop.get()) {
            mutex.acquire();
            count.incrementAndGet();
            mutex.release();
          }
        } catch (Exception e) {
          if (!stop.get()) {
            e.printStackTrace();
          }
        }
      });
      threads.add(t);
      t.start();
    }
    long before = count.get();
    long start = System.nanoTime();
    Thread.sleep(TimeUnit.SECONDS.toMillis(seconds));
    long after = count.get();
    long elapsed = System.nanoTime() - start;
    stop.set(true);
    for (Thread t : threads) {
      t.join(10_000);
    }
    clients.forEach(CuratorFramework::close);
    return (after - before) / (elapsed / 1e9);
  }

  static double[] handover(TestingServer server, int rounds) throws Exception {
    List<CuratorFramework> clients = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      clients.add(client(server));
    }
    AtomicLong gainedAt = new AtomicLong();
    CountDownLatch[] gained = {new CountDownLatch(1)};
    LeaderLatchListener listener = new LeaderLatchListener() {
      @Override
      public void isLeader() {
        gainedAt.set(System.nanoTime());
        gained[0].countDown();
      }

      @Override
      public void notLeader() {
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
      latches.set(at, newLatch(clients.get(at), "p" + at, listener));
    }
    for (LeaderLatch l : latches) {
      l.close();
    }
    clients.forEach(CuratorFramework::close);
    Arrays.sort(micros);
    return micros;
  }

  private static LeaderLatch newLatch(CuratorFramework c, String id, LeaderLatchListener listener) throws Exception {
    LeaderLatch latch = new LeaderLatch(c, "/election", id);
    latch.addListener(listener);
    latch.start();
    return latch;
  }
}
