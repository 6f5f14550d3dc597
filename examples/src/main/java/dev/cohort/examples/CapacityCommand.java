package dev.cohort.examples;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code capacity}: the jobs flow without faults at 1, 2, 4, 8... workers, each on a fresh
 * backend. Shows jobs per second against the ideal (workers x 1000 / work-ms), charts both, and
 * names the point where doubling the workers stopped paying, with the reason.
 */
@Command(name = "capacity", mixinStandardHelpOptions = true,
    description = {"Jobs per second against the number of workers (1, 2, 4, 8...), no faults. Prints a "
        + "table and writes a chart; names the point where adding workers stops helping and explains why.",
        "Exit code 0 if every run completed all its jobs."})
final class CapacityCommand implements Callable<Integer> {

  /** Doubling the workers must raise throughput by at least this factor to count as helping. */
  static final double HELPS = 1.25;

  @Spec
  CommandSpec spec;

  @Mixin
  BackendOptions backend;

  @Option(names = "--max-workers", paramLabel = "W", defaultValue = "8",
      description = "Largest worker count; runs 1, 2, 4... up to it (1..64, default: ${DEFAULT-VALUE}).")
  int maxWorkers;

  @Option(names = "--jobs", paramLabel = "N", defaultValue = "200",
      description = "Jobs per run (10..10000, default: ${DEFAULT-VALUE}).")
  int jobs;

  @Option(names = "--work-ms", paramLabel = "MS", defaultValue = "20",
      description = "Simulated processing time per job (1..1000 ms, default: ${DEFAULT-VALUE}).")
  int workMillis;

  @Option(names = "--out", paramLabel = "DIR", defaultValue = "target/cohort-demo",
      description = "Where the chart goes (default: ${DEFAULT-VALUE}).")
  Path out;

  /** One measurement per worker count, the knee (0 if none), and the chart. */
  record Result(int[] workers, double[] jobsPerSecond, int knee, boolean allCompleted, Path chart) {}

  @Override
  public Integer call() throws InterruptedException {
    backend.validate();
    CommonOptions.requireRange(spec, "--max-workers", maxWorkers, 1, 64);
    CommonOptions.requireRange(spec, "--jobs", jobs, 10, 10_000);
    CommonOptions.requireRange(spec, "--work-ms", workMillis, 1, 1000);
    Result r = run(backend, spec.commandLine().getOut(), maxWorkers, jobs, workMillis, out, true);
    return r.allCompleted() ? 0 : 1;
  }

  static Result run(BackendOptions backend, PrintWriter out, int maxWorkers, int jobs, int workMillis, Path dir,
      boolean chart) throws InterruptedException {
    List<Integer> counts = new ArrayList<>();
    for (int w = 1; w <= maxWorkers; w *= 2) {
      counts.add(w);
    }
    int[] workers = counts.stream().mapToInt(Integer::intValue).toArray();
    double[] rate = new double[workers.length];
    double perWorker = 1000.0 / workMillis;
    boolean all = true;
    String where = null;
    List<String[]> rows = new ArrayList<>();
    for (int i = 0; i < workers.length; i++) {
      try (DemoCluster cluster = DemoCluster.start(backend)) {
        where = cluster.describe();
        if (i == 0) {
          out.printf("capacity: %d jobs per run, %d ms of work each, on the %s%n", jobs, workMillis, where);
        }
        JobsScenario.Config config = new JobsScenario.Config(jobs, workers[i], Duration.ofMillis(workMillis), 0,
            false, backend.seed(), Duration.ofSeconds(120), dir, false);
        JobsScenario.Result r = new JobsScenario(config, cluster, new PrintWriter(new StringWriter()), false).run();
        rate[i] = r.steadyThroughput();
        all &= r.allCompleted();
      }
      double ideal = perWorker * workers[i];
      rows.add(new String[] {String.valueOf(workers[i]), String.format("%.0f", rate[i]), String.format("%.0f", ideal),
          String.format("%.0f%%", 100 * rate[i] / ideal)});
      out.printf("  %d worker(s): %.0f jobs/s%n", workers[i], rate[i]);
    }
    Table.print(out, new String[] {"workers", "jobs/s (steady)", "ideal jobs/s", "efficiency"}, rows);
    int knee = knee(workers, rate);
    explain(out, workers, rate, knee, perWorker);
    Path file = chart ? Charts.capacity(dir, workers, rate, perWorker) : null;
    if (file != null) {
      out.printf("chart: %s%n", file.toAbsolutePath());
    }
    return new Result(workers, rate, knee, all, file);
  }

  /** The first worker count whose doubling raised throughput by less than {@link #HELPS}; 0 if none. */
  static int knee(int[] workers, double[] rate) {
    for (int i = 1; i < workers.length; i++) {
      if (rate[i] < rate[i - 1] * HELPS) {
        return workers[i - 1];
      }
    }
    return 0;
  }

  private static void explain(PrintWriter out, int[] workers, double[] rate, int knee, double perWorker) {
    if (knee == 0) {
      out.printf("Adding workers kept helping up to %d: the work itself (%.0f jobs/s per worker) was the limit, "
          + "not coordination. Try --max-workers higher to find the ceiling.%n", workers[workers.length - 1], perWorker);
      return;
    }
    double best = 0;
    for (double r : rate) {
      best = Math.max(best, r);
    }
    out.printf("Adding workers stops helping at %d workers (doubling gave less than %.0f%% more): throughput "
        + "levels off near %.0f jobs/s.%n", knee, (HELPS - 1) * 100, best);
    out.println("Why: every job passes through the one elected scheduler, which hands jobs out one at a time, "
        + "and each hand-out is three writes (claim, put, complete) that the backend's leader must order and a "
        + "majority must acknowledge. Past the knee workers wait on that single ordered pipeline (and on this "
        + "machine's cores), not on work. More throughput needs more work per job, batched hand-outs, or "
        + "several queues (partitions), not more workers.");
  }
}
