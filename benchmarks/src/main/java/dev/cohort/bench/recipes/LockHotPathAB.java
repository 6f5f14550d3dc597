package dev.cohort.bench.recipes;

import java.lang.reflect.Method;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * An A/B of the uncontended lock row in one JVM: {@link LockHotPath} runs in short alternating
 * slices, each variant in a class loader of its own (its own copies of Cohort's classes, so its own
 * JIT profile), in a rotating order. Slices of all variants share the machine's conditions, which
 * on a loaded machine moves far less between neighbouring slices than between separate JVM runs.
 *
 * <p>Variants: {@code base} (an older build's jar, given as the first argument, without the event
 * listener), {@code none} (this build, no listener), {@code metrics} (this build, {@code
 * CohortMetrics} on a {@code SimpleMeterRegistry}). Each variant keeps one client and lock for the
 * whole run. Prints, per round, each variant's cycles per CPU-second and bytes its cycling thread
 * allocated per cycle, and at the end the median over rounds of the ratios none/base and metrics/none.
 *
 * <p>Run: {@code java -cp benchmarks/target/benchmarks.jar dev.cohort.bench.recipes.LockHotPathAB
 * <base benchmarks.jar> [rounds=15] [slice milliseconds=500]}
 */
public final class LockHotPathAB {

  private LockHotPathAB() {}

  public static void main(String[] args) throws Exception {
    if (args.length < 1 || !Files.isRegularFile(Path.of(args[0]))) {
      throw new IllegalArgumentException("usage: LockHotPathAB <base benchmarks.jar> [rounds] [slice milliseconds]");
    }
    int rounds = args.length > 1 ? Integer.parseInt(args[1]) : 15;
    int slice = args.length > 2 ? Integer.parseInt(args[2]) : 500;
    URL base = Path.of(args[0]).toUri().toURL();
    URL current = LockHotPathAB.class.getProtectionDomain().getCodeSource().getLocation();
    ClassLoader platform = ClassLoader.getPlatformClassLoader();
    // The base loader finds Cohort in the base jar first; only LockHotPath itself comes from this one.
    Variant[] variants = {
        new Variant("base", "none", new URLClassLoader(new URL[] {base, current}, platform)),
        new Variant("none", "none", new URLClassLoader(new URL[] {current}, platform)),
        new Variant("metrics", "metrics", new URLClassLoader(new URL[] {current}, platform)),
    };
    for (Variant v : variants) {
      v.run(2000); // warm-up
    }
    System.out.printf(Locale.ROOT, "load average at start: %s%n", loadAverage());
    List<double[]> perRound = new ArrayList<>();
    for (int r = 0; r < rounds; r++) {
      double[] row = new double[variants.length];
      double[] bytes = new double[variants.length];
      StringBuilder line = new StringBuilder("round " + (r + 1));
      for (int k = 0; k < variants.length; k++) {
        int i = (r + k) % variants.length; // rotate the order so no variant always follows another
        double[] f = variants[i].run(slice);
        row[i] = f[1];
        bytes[i] = f[2];
      }
      for (int i = 0; i < variants.length; i++) {
        line.append(String.format(Locale.ROOT, "  %s %,.0f (%.0f B)", variants[i].name, row[i], bytes[i]));
      }
      System.out.println(line);
      perRound.add(row);
    }
    System.out.printf(Locale.ROOT, "load average at end: %s%n", loadAverage());
    System.out.printf(Locale.ROOT, "median cycles per CPU-second: base %,.0f  none %,.0f  metrics %,.0f%n",
        median(perRound, r -> r[0]), median(perRound, r -> r[1]), median(perRound, r -> r[2]));
    System.out.printf(Locale.ROOT, "median of per-round ratios: none/base %.3f  metrics/none %.3f%n",
        median(perRound, r -> r[1] / r[0]), median(perRound, r -> r[2] / r[1]));
  }

  private static double median(List<double[]> rows, java.util.function.ToDoubleFunction<double[]> f) {
    double[] values = rows.stream().mapToDouble(f).sorted().toArray();
    int n = values.length;
    return n % 2 == 1 ? values[n / 2] : (values[n / 2 - 1] + values[n / 2]) / 2;
  }

  private static String loadAverage() {
    try {
      return Files.readString(Path.of("/proc/loadavg")).trim();
    } catch (java.io.IOException | RuntimeException e) {
      return String.format(Locale.ROOT, "%.2f",
          java.lang.management.ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage());
    }
  }

  /** One variant: a {@link LockHotPath.Loop} made in its own class loader, in one mode. */
  private static final class Variant {
    final String name;
    final Object loop;
    final Method run;

    Variant(String name, String mode, ClassLoader loader) throws ReflectiveOperationException {
      this.name = name;
      Class<?> type = Class.forName(LockHotPath.Loop.class.getName(), true, loader);
      this.loop = type.getConstructor(String.class).newInstance(mode);
      this.run = type.getMethod("run", long.class);
    }

    /** Cycles per wall second, per CPU-second, and bytes per cycle, over one slice. */
    double[] run(long millis) throws ReflectiveOperationException {
      return (double[]) run.invoke(loop, millis);
    }
  }
}
