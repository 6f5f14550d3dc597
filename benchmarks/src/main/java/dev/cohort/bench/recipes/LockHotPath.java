package dev.cohort.bench.recipes;

import dev.cohort.inmemory.InMemoryBackend;
import dev.cohort.recipes.Cohort;
import dev.cohort.recipes.locks.DistributedLock;
import java.time.Duration;
import java.util.Locale;
import java.util.concurrent.TimeUnit;

/**
 * The uncontended lock row of {@link RecipeScenarios} (one thread, one session, acquire + release
 * in a loop on the in-memory backend), with or without metrics bound, one figure per JVM so that
 * runs can be interleaved for an A/B.
 *
 * <p>Run: {@code java -cp benchmarks/target/benchmarks.jar dev.cohort.bench.recipes.LockHotPath
 * [none|metrics|observed] [seconds=5]}. {@code metrics} binds {@code CohortMetrics} to a {@code
 * SimpleMeterRegistry}; {@code observed} adds an {@code ObservationRegistry} with one no-op handler,
 * so observations are created and stopped too.
 *
 * <p>In {@code none} mode this class uses only APIs that predate the event listener, so the same
 * class can run against an older build's jar for a before/after comparison.
 */
public final class LockHotPath {

  private LockHotPath() {}

  public static void main(String[] args) throws Exception {
    String mode = args.length > 0 ? args[0] : "none";
    int seconds = args.length > 1 ? Integer.parseInt(args[1]) : 5;
    try (Loop loop = new Loop(mode)) {
      loop.run(2000); // warm-up
      double[] f = loop.run(seconds * 1000L);
      System.out.printf(Locale.ROOT,
          "uncontended lock acquire+release, %s: %,.0f cycles/s, %,.0f cycles per CPU-second, %.0f bytes/cycle%n",
          mode, f[0], f[1], f[2]);
    }
  }

  /**
   * One client on its own in-memory backend with one lock, cycled in slices. Figures per slice:
   * cycles per wall-clock second; cycles per second of the process's CPU time (on a shared machine
   * the steadier one: it does not count time the process waited for a core); and bytes allocated
   * by the cycling thread per cycle (deterministic: it shows what the hot path allocates).
   */
  public static final class Loop implements AutoCloseable {
    private final InMemoryBackend backend;
    private final Cohort client;
    private final DistributedLock lock;
    private final com.sun.management.OperatingSystemMXBean os =
        (com.sun.management.OperatingSystemMXBean) java.lang.management.ManagementFactory.getOperatingSystemMXBean();
    private final com.sun.management.ThreadMXBean threads =
        (com.sun.management.ThreadMXBean) java.lang.management.ManagementFactory.getThreadMXBean();

    /** @param mode {@code none}, {@code metrics} or {@code observed} */
    public Loop(String mode) throws InterruptedException {
      if (!mode.equals("none") && !mode.equals("metrics") && !mode.equals("observed")) {
        throw new IllegalArgumentException("mode must be none, metrics or observed: " + mode);
      }
      backend = InMemoryBackend.create();
      Cohort.Builder builder = Cohort.builder(backend).namespace("/bench").sessionTimeout(Duration.ofSeconds(30));
      if (!mode.equals("none")) {
        Bound.bind(builder, mode.equals("observed"));
      }
      client = builder.build();
      client.start();
      lock = new DistributedLock(client, "/locks/u");
    }

    /** Cycles for about {@code millis}; returns cycles/s, cycles per CPU-second, bytes per cycle. */
    public double[] run(long millis) throws InterruptedException {
      long cycles = 0;
      long bytesStart = threads.getCurrentThreadAllocatedBytes();
      long cpuStart = os.getProcessCpuTime();
      long start = System.nanoTime();
      long end = start + TimeUnit.MILLISECONDS.toNanos(millis);
      long now;
      do {
        for (int i = 0; i < 1000; i++) {
          lock.acquire();
          lock.release();
        }
        cycles += 1000;
        now = System.nanoTime();
      } while (now < end);
      long cpu = os.getProcessCpuTime() - cpuStart;
      long bytes = threads.getCurrentThreadAllocatedBytes() - bytesStart;
      return new double[] {cycles / ((now - start) / 1e9), cycles / (cpu / 1e9), (double) bytes / cycles};
    }

    @Override
    public void close() {
      client.close();
      backend.close();
    }
  }

  /** Kept apart so that {@code none} mode never loads a Micrometer or listener class. */
  private static final class Bound {
    static void bind(Cohort.Builder builder, boolean observed) {
      dev.cohort.micrometer.CohortMetrics.Builder metrics =
          dev.cohort.micrometer.CohortMetrics.builder(new io.micrometer.core.instrument.simple.SimpleMeterRegistry());
      if (observed) {
        io.micrometer.observation.ObservationRegistry observations = io.micrometer.observation.ObservationRegistry.create();
        observations.observationConfig().observationHandler(context -> true); // one handler that does nothing
        metrics.observationRegistry(observations);
      }
      builder.events(metrics.build());
    }
  }
}
