package dev.cohort.bench.queue;

import dev.cohort.inmemory.InMemoryBackend;
import dev.cohort.recipes.Cohort;
import dev.cohort.recipes.locks.DistributedLock;
import dev.cohort.recipes.queue.WorkQueue;
import dev.cohort.spi.BlockingSession;
import dev.cohort.spi.CreateMode;
import dev.cohort.spi.Op;
import dev.cohort.spi.Session;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * What one put and one uncontended lock cycle cost the calling thread, in CPU time and allocated
 * bytes, on the in-memory backend, next to the raw requests they send: a plain sequential create (a
 * put before receipts) and the put's transaction now (the job's create and the receipt slot's
 * write). On the in-memory backend these calls run entirely on the caller's thread, so its CPU
 * time is their cost. Unlike a throughput figure it does not count the time the thread waited for
 * a core, so it is steadier on a shared machine; it still moves with the machine's load (shared
 * caches, a busy sibling hyperthread), so compare jars run one after the other.
 *
 * <p>Each round is a fresh backend and {@value #OPS} calls, as in {@link QueueThroughput}; every
 * path is first run as many rounds unmeasured, then measured; prints the 10th percentile and the
 * median of the measured rounds. It uses only API that the code of 2026-12-04 had too, so its
 * class file can run against an older jar for an A/B (see the README).
 *
 * <p>Run: {@code java -cp benchmarks/target/benchmarks.jar dev.cohort.bench.queue.CallerCost [rounds=100]}
 */
public final class CallerCost {
  private static final int OPS = 1000;
  private static final com.sun.management.ThreadMXBean THREADS =
      (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();

  private CallerCost() {}

  /** One round: sets up on {@code backend}, then runs {@link #OPS} calls between the meter's start and stop. */
  @FunctionalInterface
  private interface Loop {
    void run(InMemoryBackend backend, Meter meter) throws Exception;
  }

  /** The calling thread's CPU time and allocated bytes between {@link #start} and {@link #stop}. */
  private static final class Meter {
    private final long thread = Thread.currentThread().getId();
    private long cpu;
    private long bytes;

    void start() {
      cpu = THREADS.getCurrentThreadCpuTime();
      bytes = THREADS.getThreadAllocatedBytes(thread);
    }

    void stop() {
      cpu = THREADS.getCurrentThreadCpuTime() - cpu;
      bytes = THREADS.getThreadAllocatedBytes(thread) - bytes;
    }
  }

  public static void main(String[] args) throws Exception {
    int rounds = args.length > 0 ? Integer.parseInt(args[0]) : 100;
    System.out.printf(Locale.ROOT, "caller's CPU time and allocation per call, in-memory, %d calls per round, %d rounds "
        + "(after a warm-up pass of every path)%n", OPS, rounds);
    String[] names = {"raw create, persistent sequential, 64 B", "raw multi: that create alone",
        "raw multi: that create + a 40 B setData", "WorkQueue.put, 64 B", "uncontended lock acquire+release"};
    Loop[] loops = {CallerCost::rawCreates, CallerCost::rawSingleMultis, CallerCost::rawReceiptMultis, CallerCost::puts,
        CallerCost::lockCycles};
    for (int pass = 0; pass < 2; pass++) { // the first pass warms every path up, so that none is measured cold
      for (int i = 0; i < loops.length; i++) {
        measure(names[i], rounds, loops[i], pass == 1);
      }
    }
  }

  private static void measure(String name, int rounds, Loop loop, boolean print) throws Exception {
    double[] cpu = new double[rounds];
    double[] bytes = new double[rounds];
    for (int round = -rounds; round < rounds; round++) {
      Meter meter = new Meter();
      try (InMemoryBackend backend = InMemoryBackend.create()) {
        loop.run(backend, meter);
      }
      if (round >= 0) {
        cpu[round] = meter.cpu / (double) OPS;
        bytes[round] = meter.bytes / (double) OPS;
      }
    }
    if (!print) {
      return;
    }
    Arrays.sort(cpu);
    Arrays.sort(bytes);
    System.out.printf(Locale.ROOT, "  %-42s CPU ns/call p10 %,6.0f median %,6.0f   bytes/call median %,6.0f%n",
        name, cpu[rounds / 10], cpu[rounds / 2], bytes[rounds / 2]);
  }

  private static void rawCreates(InMemoryBackend backend, Meter meter) throws Exception {
    BlockingSession s = rawSession(backend);
    byte[] data = new byte[64];
    meter.start();
    for (int i = 0; i < OPS; i++) {
      s.create("/q/_c_" + i + "-job-", data, CreateMode.PERSISTENT_SEQUENTIAL);
    }
    meter.stop();
  }

  private static void rawSingleMultis(InMemoryBackend backend, Meter meter) throws Exception {
    BlockingSession s = rawSession(backend);
    byte[] data = new byte[64];
    meter.start();
    for (int i = 0; i < OPS; i++) {
      s.multi(List.of(Op.create("/q/_c_" + i + "-job-", data, CreateMode.PERSISTENT_SEQUENTIAL)));
    }
    meter.stop();
  }

  private static void rawReceiptMultis(InMemoryBackend backend, Meter meter) throws Exception {
    BlockingSession s = rawSession(backend);
    s.create("/r/slot", new byte[0], CreateMode.EPHEMERAL);
    byte[] data = new byte[64];
    meter.start();
    for (int i = 0; i < OPS; i++) {
      String marker = "_c_" + i + "-";
      byte[] receipt = (marker + "0123456789abcdef0123456789ab").getBytes(StandardCharsets.UTF_8);
      s.multi(List.of(Op.create("/q/" + marker + "job-", data, CreateMode.PERSISTENT_SEQUENTIAL),
          Op.setData("/r/slot", receipt, -1)));
    }
    meter.stop();
  }

  private static BlockingSession rawSession(InMemoryBackend backend) throws Exception {
    Session session = backend.openSession().get();
    session.create("/q", new byte[0], CreateMode.PERSISTENT).get();
    session.create("/r", new byte[0], CreateMode.PERSISTENT).get();
    return session.blocking();
  }

  private static void puts(InMemoryBackend backend, Meter meter) throws Exception {
    try (Cohort client = Cohort.builder(backend).build()) {
      client.start();
      WorkQueue queue = WorkQueue.builder(client, "/q").build();
      byte[] payload = new byte[64];
      queue.put(payload); // the queue's directories exist, as in a running producer
      meter.start();
      for (int i = 0; i < OPS; i++) {
        queue.put(payload);
      }
      meter.stop();
    }
  }

  private static void lockCycles(InMemoryBackend backend, Meter meter) throws Exception {
    try (Cohort client = Cohort.builder(backend).build()) {
      client.start();
      DistributedLock lock = new DistributedLock(client, "/locks/u");
      lock.acquire();
      lock.release();
      meter.start();
      for (int i = 0; i < OPS; i++) {
        lock.acquire();
        lock.release();
      }
      meter.stop();
    }
  }
}
