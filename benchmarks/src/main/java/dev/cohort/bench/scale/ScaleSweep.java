package dev.cohort.bench.scale;

import dev.cohort.bench.recipes.CountingBackend;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * The scale sweep of issue #16: every scenario of {@link Scenarios#ALL} at each of its sizes on
 * each chosen backend, printing cost per operation (µs, median of rounds) and requests per
 * operation (counted at the SPI boundary by {@link CountingBackend}), and drawing one PNG per
 * scenario.
 *
 * <p>Before a scenario's sizes on a backend, its smallest point runs once untabled, to warm the JVM.
 * Each point gets a fresh backend; its setup (filling the queue, starting members) is timed but
 * not measured. Then one warm-up round and {@code --rounds} rounds of {@code --seconds} divided by
 * the rounds each; a round runs whole batches, so it lasts at least one batch. A point that a
 * recipe refuses, that a backend cannot afford, that stalls or that fails gets a row saying so and
 * the sweep goes on; a point still running after {@code --point-timeout} is abandoned.
 *
 * <p>Run: {@code java -cp benchmarks/target/benchmarks.jar dev.cohort.bench.scale.ScaleSweep --help}
 */
@Command(name = "ScaleSweep", mixinStandardHelpOptions = true,
    description = "Cost and requests per operation of Cohort's recipes at growing sizes, as a table and PNG charts.")
public final class ScaleSweep implements Callable<Integer> {

  @Option(names = {"-b", "--backends"}, split = ",", paramLabel = "NAME",
      description = "Backends: inmemory, replicated, zookeeper (default: ${DEFAULT-VALUE}).")
  List<String> backends = new ArrayList<>(List.of("inmemory", "replicated"));

  @Option(names = {"-s", "--scenarios"}, split = ",", paramLabel = "NAME",
      description = "Scenarios (default: all): queue, lock-handoff, leader-handover, group, partition, children-cache.")
  List<String> scenarios = new ArrayList<>();

  @Option(names = {"-n", "--sizes"}, split = ",", paramLabel = "SIZE",
      description = "Sizes for every scenario instead of each one's own (10, 1k, 100k, 1M).")
  List<String> sizes = new ArrayList<>();

  @Option(names = "--max-size", paramLabel = "SIZE", description = "Skip sizes above this (default: no cap).")
  String maxSize;

  @Option(names = "--seconds", description = "Measured seconds per point, split into the rounds (default: ${DEFAULT-VALUE}).")
  double seconds = 3;

  @Option(names = "--rounds", description = "Rounds per point; the figures are their medians (default: ${DEFAULT-VALUE}).")
  int rounds = 5;

  @Option(names = "--point-timeout", description = "Seconds after which a point (setup included) is abandoned (default: ${DEFAULT-VALUE}).")
  int pointTimeoutSeconds = 300;

  @Option(names = "--quick", description = "Each scenario's small sizes, 0.3 s and 3 rounds per point: a smoke run.")
  boolean quick;

  @Option(names = {"-o", "--out"}, description = "Directory for the PNGs and results.md (default: ${DEFAULT-VALUE}).")
  Path out = Path.of("benchmarks", "target", "scale");

  private PrintStream console = System.out;
  private final List<Scenario> catalog;
  private final List<Row> rows = new ArrayList<>();
  private final List<Path> charts = new ArrayList<>();

  /** Runs the sweep and exits with its status (0: it ran; failed points are rows, not a status). */
  public static void main(String[] args) {
    System.exit(run(System.out, args));
  }

  ScaleSweep(List<Scenario> catalog) {
    this.catalog = List.copyOf(catalog);
  }

  /** Runs the sweep of {@link Scenarios#ALL}, printing to {@code console}; returns the exit status. */
  public static int run(PrintStream console, String... args) {
    return run(console, Scenarios.ALL, args);
  }

  /** Runs the sweep over {@code catalog}, printing to {@code console}; returns the exit status. */
  static int run(PrintStream console, List<Scenario> catalog, String... args) {
    System.setProperty("java.awt.headless", "true");
    // The embedded server and its clients read this once: big listings (100k children) need more than 1 MB.
    if (System.getProperty("jute.maxbuffer") == null) {
      System.setProperty("jute.maxbuffer", Integer.toString(64 << 20));
    }
    ScaleSweep sweep = new ScaleSweep(catalog);
    sweep.console = console;
    CommandLine cli = new CommandLine(sweep);
    cli.setOut(new java.io.PrintWriter(console, true));
    cli.setErr(new java.io.PrintWriter(console, true));
    return cli.execute(args);
  }

  /** The rows of the last run, in table order. */
  List<Row> rows() {
    return rows;
  }

  /** The charts the last run wrote. */
  List<Path> charts() {
    return charts;
  }

  @Override
  public Integer call() throws Exception {
    List<Backend> chosenBackends = backends.stream().map(Backend::parse).distinct().toList();
    List<Scenario> chosen = scenarios.isEmpty() ? catalog : scenarios.stream().map(this::scenario).toList();
    if (quick) {
      seconds = Math.min(seconds, 0.3);
      rounds = Math.min(rounds, 3);
    }
    if (rounds < 1 || seconds <= 0) {
      throw new CommandLine.ParameterException(new CommandLine(this), "--rounds and --seconds must be positive");
    }
    int cap = maxSize == null ? Integer.MAX_VALUE : Sizes.parse(maxSize);
    Files.createDirectories(out);
    console.printf("scale sweep: backends %s, %d rounds of %.2f s per point, point timeout %d s, %s%n",
        chosenBackends.stream().map(Backend::label).toList(), rounds, seconds / rounds, pointTimeoutSeconds,
        loadAverage());
    for (Scenario scenario : chosen) {
      List<Integer> points = sizes.isEmpty() ? (quick ? scenario.quickSizes() : scenario.sizes())
          : sizes.stream().map(Sizes::parse).toList();
      for (Backend backend : chosenBackends) {
        if (!quick && !points.isEmpty() && scenario.unaffordable(backend, points.get(0)).isEmpty()) {
          // The first point of a scenario on a backend runs on cold code (measured: 3-6x slower at
          // depth 10 than the same point run again): warm the JVM on the smallest size, untabled.
          measure(scenario, backend, points.get(0));
        }
        for (int size : points) {
          if (size > cap) {
            continue;
          }
          Row row = scenario.unaffordable(backend, size)
              .map(reason -> Row.skipped(scenario, backend, size, reason))
              .orElseGet(() -> measure(scenario, backend, size));
          rows.add(row);
          console.println(line(row));
        }
      }
      Path chart = Charts.write(scenario, rows, out);
      if (chart != null) {
        charts.add(chart);
      }
    }
    String table = table(chosen);
    console.println();
    console.print(table);
    Files.writeString(out.resolve("results.md"), table);
    console.printf("%ncharts: %s%nafter the sweep: %s%n", charts, loadAverage());
    return 0;
  }

  private Scenario scenario(String name) {
    return catalog.stream().filter(s -> s.name().equals(name.trim())).findFirst()
        .orElseThrow(() -> new CommandLine.ParameterException(new CommandLine(this), "unknown scenario '" + name
            + "'; known: " + catalog.stream().map(Scenario::name).toList()));
  }

  // ---- measuring one point -------------------------------------------------------------------

  private Row measure(Scenario scenario, Backend backend, int size) {
    ExecutorService runner = Executors.newSingleThreadExecutor(r -> {
      Thread t = new Thread(r, "scale-point");
      t.setDaemon(true);
      return t;
    });
    long t0 = System.nanoTime();
    Holder holder = new Holder();
    Future<Row> result = runner.submit(() -> runPoint(scenario, backend, size, holder, t0));
    try {
      return result.get(pointTimeoutSeconds, TimeUnit.SECONDS);
    } catch (TimeoutException e) {
      result.cancel(true);
      return Row.notMeasured(scenario, backend, size, seconds(t0), "timeout: more than " + pointTimeoutSeconds + " s");
    } catch (ExecutionException e) {
      Throwable cause = e.getCause();
      String note = cause instanceof Refused ? cause.getMessage()
          : "failed: " + cause.getClass().getSimpleName() + ": " + cause.getMessage();
      return Row.notMeasured(scenario, backend, size, holder.setupSeconds, note);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted", e);
    } finally {
      runner.shutdownNow();
      holder.closeQuietly();
    }
  }

  /** What a point must close, whichever thread gets there (the runner, or the sweep after a timeout). */
  private static final class Holder {
    volatile Backend.Opened opened;
    volatile Env env;
    volatile Point point;
    volatile double setupSeconds;

    synchronized void closeQuietly() {
      try {
        if (point != null) {
          point.close();
        }
      } catch (Exception | LinkageError e) {
        // best effort: the backend is closed next
      }
      if (env != null) {
        env.close();
      }
      try {
        if (opened != null) {
          opened.close();
        }
      } catch (Exception e) {
        // best effort
      }
      point = null;
      env = null;
      opened = null;
    }
  }

  private Row runPoint(Scenario scenario, Backend backend, int size, Holder holder, long t0) throws Exception {
    holder.opened = backend.open();
    CountingBackend counting = new CountingBackend(holder.opened.backend());
    holder.env = new Env(backend, counting);
    holder.point = scenario.setUp(holder.env, size);
    holder.setupSeconds = seconds(t0);
    Point point = holder.point;
    Env env = holder.env;
    long roundNanos = (long) (seconds / rounds * 1e9);
    round(point, env, roundNanos); // warm-up
    double[] micros = new double[rounds];
    double[] requests = new double[rounds];
    long total = 0;
    for (int i = 0; i < rounds; i++) {
      double[] r = round(point, env, roundNanos);
      micros[i] = r[0];
      requests[i] = r[1];
      total += (long) r[2];
    }
    return new Row(scenario.name(), backend, size, median(micros), median(requests), total, holder.setupSeconds, "", null);
  }

  /** {µs per op, requests per op, ops} over one round of whole batches lasting at least {@code nanos}. */
  private static double[] round(Point point, Env env, long nanos) throws Exception {
    long requests0 = env.requests();
    long start = System.nanoTime();
    long ops = 0;
    long elapsed;
    do {
      ops += point.runBatch();
      elapsed = System.nanoTime() - start;
    } while (elapsed < nanos);
    long requests = env.requests() - requests0;
    return new double[] {elapsed / 1e3 / ops, requests / (double) ops, ops};
  }

  private static double median(double[] values) {
    double[] sorted = values.clone();
    Arrays.sort(sorted);
    int n = sorted.length;
    return n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
  }

  private static double seconds(long t0) {
    return (System.nanoTime() - t0) / 1e9;
  }

  // ---- output --------------------------------------------------------------------------------

  private static String line(Row r) {
    return String.format(Locale.ROOT, "  %-16s %-10s %6s  %s", r.scenario(), r.backend().label(), Sizes.format(r.size()),
        r.measured() ? String.format(Locale.ROOT, "%s µs/op, %s requests/op, %,d ops, setup %.1f s",
            micros(r.microsPerOp()), requestsText(r.requestsPerOp()), r.ops(), r.setupSeconds()) : r.note());
  }

  /** The results as a Markdown table, then what one operation is in each scenario. */
  String table(List<Scenario> chosen) {
    StringBuilder b = new StringBuilder();
    b.append("| scenario | backend | size | µs/op (median) | requests/op | ops | setup s | note |\n");
    b.append("|---|---|---:|---:|---:|---:|---:|---|\n");
    // A skip's reason is long and repeats for each size: the row shows a number, the list below the reason.
    Map<String, Set<String>> reasons = new LinkedHashMap<>();
    for (Row r : rows) {
      String note = r.note();
      if (r.skipReason() != null) {
        reasons.computeIfAbsent(r.skipReason(), k -> new LinkedHashSet<>()).add(r.backend().label() + " " + r.scenario());
        note = "skipped: not affordable [" + (new ArrayList<>(reasons.keySet()).indexOf(r.skipReason()) + 1) + "]";
      }
      b.append(String.format(Locale.ROOT, "| %s | %s | %s | %s | %s | %s | %s | %s |%n", r.scenario(), r.backend().label(),
          Sizes.format(r.size()), r.measured() ? micros(r.microsPerOp()) : "—",
          r.measured() ? requestsText(r.requestsPerOp()) : "—", r.measured() ? String.format("%,d", r.ops()) : "—",
          r.setupSeconds() > 0 ? String.format(Locale.ROOT, "%.1f", r.setupSeconds()) : "—", note.replace("|", "/")));
    }
    b.append('\n');
    int n = 0;
    for (Map.Entry<String, Set<String>> e : reasons.entrySet()) {
      b.append('[').append(++n).append("] ").append(String.join(", ", e.getValue()))
          .append(": not affordable because ").append(e.getKey()).append(".\n");
    }
    if (!reasons.isEmpty()) {
      b.append('\n');
    }
    for (Scenario s : chosen) {
      b.append("- `").append(s.name()).append("`: ").append(s.operation()).append('\n');
    }
    return b.toString();
  }

  private static String micros(double us) {
    return us >= 100 ? String.format(Locale.ROOT, "%,.0f", us) : String.format(Locale.ROOT, "%.1f", us);
  }

  private static String requestsText(double r) {
    return r >= 100 ? String.format(Locale.ROOT, "%,.0f", r) : String.format(Locale.ROOT, "%.2f", r);
  }

  private static String loadAverage() {
    try {
      String[] f = Files.readString(Path.of("/proc/loadavg")).trim().split("\\s+");
      return "load average " + f[0] + " " + f[1] + " " + f[2];
    } catch (IOException | RuntimeException e) {
      return "load average unknown";
    }
  }
}
