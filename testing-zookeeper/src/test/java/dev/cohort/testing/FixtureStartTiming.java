package dev.cohort.testing;

import java.util.Arrays;
import java.util.Locale;

/**
 * Times how long {@link CohortFixture} takes to start and to close on each backend, in one JVM:
 * the first fixture of each backend (which pays for class loading and, on ZooKeeper, the server),
 * then the median and 90th percentile of the following ones. A measurement to read, not a test.
 * A backend whose jars are not on the class path is listed and skipped (this module's test class
 * path has them all; etcd also needs the {@code etcd} binary installed).
 *
 * <pre>
 * ./mvnw -q -B -o -pl testing-zookeeper -am test-compile exec:java -Dcohort.timing.skip=false [-Dexec.args=200]
 * </pre>
 */
public final class FixtureStartTiming {
  private FixtureStartTiming() {}

  /** Runs the measurement; the optional argument is how many fixtures to time per backend after the first. */
  public static void main(String[] args) {
    int runs = args.length > 0 ? Integer.parseInt(args[0]) : 100;
    System.out.printf(Locale.ROOT, "%-22s %10s %12s %12s %12s%n", "fixture", "first ms", "start p50 ms",
        "start p90 ms", "close p50 ms");
    for (BackendKind kind : BackendKind.values()) {
      if (Engines.unavailable(kind).isPresent()) {
        System.out.printf(Locale.ROOT, "%-22s skipped: its jars are not on the class path%n", Engines.label(kind, 1));
        continue;
      }
      int replicas = kind == BackendKind.REPLICATED ? 3 : 1;
      long first = System.nanoTime();
      CohortFixture.of(kind, replicas).close();
      double firstMs = (System.nanoTime() - first) / 1e6;
      double[] start = new double[runs];
      double[] close = new double[runs];
      for (int i = 0; i < runs; i++) {
        long t0 = System.nanoTime();
        CohortFixture fixture = CohortFixture.of(kind, replicas);
        long t1 = System.nanoTime();
        fixture.close();
        long t2 = System.nanoTime();
        start[i] = (t1 - t0) / 1e6;
        close[i] = (t2 - t1) / 1e6;
      }
      Arrays.sort(start);
      Arrays.sort(close);
      System.out.printf(Locale.ROOT, "%-22s %10.1f %12.2f %12.2f %12.2f%n",
          Engines.label(kind, replicas), firstMs, start[runs / 2], start[runs * 9 / 10],
          close[runs / 2]);
    }
    System.exit(0);
  }
}
