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
    if (!mode.equals("none") && !mode.equals("metrics") && !mode.equals("observed")) {
      throw new IllegalArgumentException("mode must be none, metrics or observed: " + mode);
    }
    cycles(mode, 2); // warm-up
    double perSecond = cycles(mode, seconds);
    System.out.printf(Locale.ROOT, "uncontended lock acquire+release, %s: %,.0f cycles/s%n", mode, perSecond);
  }

  static double cycles(String mode, int seconds) throws InterruptedException {
    try (InMemoryBackend backend = InMemoryBackend.create()) {
      Cohort.Builder builder = Cohort.builder(backend).namespace("/bench").sessionTimeout(Duration.ofSeconds(30));
      if (!mode.equals("none")) {
        Bound.bind(builder, mode.equals("observed"));
      }
      try (Cohort client = builder.build()) {
        client.start();
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
