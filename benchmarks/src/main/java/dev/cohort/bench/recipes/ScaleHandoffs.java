package dev.cohort.bench.recipes;

import dev.cohort.inmemory.InMemoryBackend;
import dev.cohort.recipes.Cohort;
import dev.cohort.recipes.leader.LeaderLatch;
import dev.cohort.recipes.locks.DistributedLock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Handoffs of one lock, or of one leader latch, among N sessions on the in-memory backend, with what
 * each handoff costs: requests sent, watch events delivered (each wakes at most one waiting
 * contender), and names read by listings. One thread per session loops: for the lock, acquire and
 * release; for the latch, wait for leadership, close the latch and join again with a new one.
 *
 * <p>What grows with N (issue #16; counted here, profiled with JFR at N = 512 and 1,000):
 * <ul>
 *   <li>Requests and wake-ups do not: 4 requests per handoff (the holder's marked release, and the
 *       old holder queueing again: create, listing, getData watch) and 1 watch event, at every N,
 *       before and after the change below.</li>
 *   <li>The listing a contender reads as it queues is N names: inherent, since the service cannot
 *       name a new node's predecessor any other way (ZooKeeper has no such query, nor does the
 *       SPI). It is one request, read once per queueing, never on a wake-up.</li>
 *   <li>Was: each listing was sorted with a comparator that parsed both names' sequence suffixes on
 *       every comparison (40% of the samples at N = 512), and each waiter kept the sorted listing
 *       and scanned and copied it on its wake-up. Now an exclusive queue's contender finds its
 *       standing in one pass with each name parsed once, keeps only its predecessor and the count
 *       ahead, and decides a wake-up in constant time.</li>
 * </ul>
 *
 * <p>Run: {@code java -cp benchmarks/target/benchmarks.jar dev.cohort.bench.recipes.ScaleHandoffs
 * [seconds=3] [N,N,...=4,64,512,1000] [lock|leader_latch]}. Other harnesses call {@link #measure}.
 */
public final class ScaleHandoffs {

  private ScaleHandoffs() {}

  /** What is handed off. */
  public enum Recipe { LOCK, LEADER_LATCH }

  /**
   * One measuring window's figures.
   *
   * @param handoffsPerSecond handoffs per wall-clock second (noisy on a shared machine)
   * @param requestsPerHandoff requests sent by all sessions, per handoff (exact)
   * @param eventsPerHandoff watch events delivered, per handoff: the waiters woken (exact)
   * @param listedNamesPerHandoff children names read by listings, per handoff (exact)
   */
  public record Figures(int participants, double handoffsPerSecond, double requestsPerHandoff,
      double eventsPerHandoff, double listedNamesPerHandoff) {}

  public static void main(String[] args) throws Exception {
    int seconds = args.length > 0 ? Integer.parseInt(args[0]) : 3;
    String[] sizes = (args.length > 1 ? args[1] : "4,64,512,1000").split(",");
    List<Recipe> recipes = args.length > 2 ? List.of(Recipe.valueOf(args[2].toUpperCase(Locale.ROOT)))
        : List.of(Recipe.values());
    for (Recipe recipe : recipes) {
      for (String size : sizes) {
        Figures f = measure(recipe, Integer.parseInt(size.trim()), Duration.ofSeconds(seconds));
        System.out.printf(Locale.ROOT,
            "%-12s N=%5d  %,9.0f handoffs/s  %5.2f requests/handoff  %5.2f events/handoff  %8.1f names listed/handoff%n",
            recipe, f.participants(), f.handoffsPerSecond(), f.requestsPerHandoff(), f.eventsPerHandoff(),
            f.listedNamesPerHandoff());
      }
    }
  }

  /**
   * Runs {@code participants} sessions handing {@code recipe} around: a warm-up of a quarter of
   * {@code window}, then one measuring window.
   */
  public static Figures measure(Recipe recipe, int participants, Duration window) throws Exception {
    if (participants < 1) {
      throw new IllegalArgumentException("participants must be positive: " + participants);
    }
    CountingBackend backend = new CountingBackend(InMemoryBackend.create());
    List<Cohort> clients = new ArrayList<>();
    List<Thread> threads = new ArrayList<>();
    AtomicBoolean stop = new AtomicBoolean();
    AtomicLong handoffs = new AtomicLong();
    try {
      CountDownLatch ready = new CountDownLatch(participants);
      for (int i = 0; i < participants; i++) {
        Cohort client = Cohort.builder(backend).namespace("/scale").sessionTimeout(Duration.ofSeconds(30)).build();
        client.start();
        clients.add(client);
        Runnable loop = recipe == Recipe.LOCK ? lockLoop(client, stop, handoffs) : latchLoop(client, stop, handoffs);
        Thread t = new Thread(() -> {
          ready.countDown();
          loop.run();
        }, "scale-" + i);
        t.setDaemon(true);
        threads.add(t);
      }
      threads.forEach(Thread::start);
      ready.await();
      Thread.sleep(window.toMillis() / 4); // warm-up: a benchmark's window, not a wait for a condition
      long h0 = handoffs.get();
      long r0 = backend.requests();
      long e0 = backend.events();
      long n0 = backend.listedNames();
      long t0 = System.nanoTime();
      Thread.sleep(window.toMillis());
      long h1 = handoffs.get();
      long t1 = System.nanoTime();
      long r1 = backend.requests();
      long e1 = backend.events();
      long n1 = backend.listedNames();
      double h = Math.max(1, h1 - h0);
      return new Figures(participants, (h1 - h0) / ((t1 - t0) / 1e9), (r1 - r0) / h, (e1 - e0) / h, (n1 - n0) / h);
    } finally {
      stop.set(true);
      threads.forEach(Thread::interrupt); // wakes every thread still waiting
      for (Thread t : threads) {
        t.join(10_000);
      }
      clients.forEach(Cohort::close);
      backend.close();
    }
  }

  private static Runnable lockLoop(Cohort client, AtomicBoolean stop, AtomicLong handoffs) {
    DistributedLock lock = new DistributedLock(client, "/lock");
    return () -> {
      try {
        while (!stop.get()) {
          lock.acquire();
          handoffs.incrementAndGet();
          lock.release();
        }
      } catch (InterruptedException | RuntimeException e) {
        // closed at the end of the run
      }
    };
  }

  private static Runnable latchLoop(Cohort client, AtomicBoolean stop, AtomicLong handoffs) {
    return () -> {
      try {
        while (!stop.get()) {
          LeaderLatch latch = LeaderLatch.builder(client, "/leader").build();
          latch.start();
          try {
            latch.await();
            handoffs.incrementAndGet();
          } finally {
            latch.close();
          }
        }
      } catch (InterruptedException | RuntimeException e) {
        // closed at the end of the run
      }
    };
  }
}
