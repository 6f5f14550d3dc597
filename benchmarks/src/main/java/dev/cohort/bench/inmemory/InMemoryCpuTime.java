package dev.cohort.bench.inmemory;

import dev.cohort.inmemory.InMemoryBackend;
import dev.cohort.spi.CreateMode;
import dev.cohort.spi.Session;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.Locale;
import java.util.function.IntConsumer;

/**
 * A companion to the JMH figures for a loaded machine: runs each operation in a loop on one thread
 * and divides the count by the <em>CPU time</em> that thread consumed, not by wall time. On a shared
 * 2-core machine where other processes take most of the cores, wall-clock throughput mostly measures
 * the scheduler; CPU-time throughput approximates what one unshared core does. It is not a JMH
 * measurement (no blackholes, no forks), so treat it as a cross-check, and read JMH on a quiet
 * machine as the reference.
 *
 * <p>Usage: {@code java -Xmx2g -cp benchmarks.jar dev.cohort.bench.inmemory.InMemoryCpuTime [ops]}
 */
public final class InMemoryCpuTime {
  private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();
  private static final byte[] DATA = new byte[16];
  private static final int NODES = 1024;
  private static long sink;

  private InMemoryCpuTime() {}

  public static void main(String[] args) {
    int ops = args.length > 0 ? Integer.parseInt(args[0]) : 2_000_000;
    try (InMemoryBackend backend = InMemoryBackend.create()) {
      Session s = backend.openSession().join();
      s.create("/bench", new byte[0], CreateMode.PERSISTENT).join();
      String[] paths = new String[NODES];
      for (int i = 0; i < NODES; i++) {
        paths[i] = s.create("/bench/n" + i, DATA, CreateMode.PERSISTENT).join().path();
      }
      s.create("/t", new byte[0], CreateMode.PERSISTENT).join();
      for (int round = 1; round <= 2; round++) {
        System.out.println("round " + round + (round == 1 ? " (warm-up)" : ""));
        measure("getData", ops, i -> sink += s.getData(paths[i & (NODES - 1)]).join().stat().version());
        measure("exists", ops, i -> sink += s.exists(paths[i & (NODES - 1)]).join().version());
        measure("setData", ops, i -> sink += s.setData(paths[i & (NODES - 1)], DATA, -1).join().version());
        measure("create+delete pair", ops / 2, i -> {
          String path = s.create("/t/n", DATA, CreateMode.PERSISTENT).join().path();
          s.delete(path, -1).join();
        });
      }
    }
    if (sink == 42) {
      System.out.println();
    }
  }

  private static void measure(String name, int ops, IntConsumer op) {
    long wall = System.nanoTime();
    long cpu = THREADS.getCurrentThreadCpuTime();
    for (int i = 0; i < ops; i++) {
      op.accept(i);
    }
    long cpuNanos = THREADS.getCurrentThreadCpuTime() - cpu;
    long wallNanos = System.nanoTime() - wall;
    System.out.printf(Locale.ROOT, "  %-20s %,12.0f ops per CPU-second   %,12.0f ops per wall-second%n",
        name, ops * 1e9 / cpuNanos, ops * 1e9 / wallNanos);
  }
}
