package dev.cohort.examples;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/** {@code jobs}: the main demo (see {@link JobsScenario}). */
@Command(name = "jobs", mixinStandardHelpOptions = true,
    description = {"A replicated job system under fire: a client submits jobs to a work queue, a "
        + "scheduler elected by LeaderLatch hands them out, workers process them. Meanwhile workers "
        + "are killed and restarted, backend replicas crash and restart (the leader too), the leading "
        + "scheduler is killed, and the workers are upgraded one by one without stopping the flow.",
        "Prints live progress, a summary table, and writes a chart of jobs/s over time with the events "
        + "marked. Exit code 0 only if every job completed."})
final class JobsCommand implements Callable<Integer> {

  @Spec
  CommandSpec spec;

  @Mixin
  BackendOptions backend;

  @Option(names = "--jobs", paramLabel = "N", defaultValue = "1000",
      description = "Jobs to submit (1..10000, default: ${DEFAULT-VALUE}).")
  int jobs;

  @Option(names = "--workers", paramLabel = "W", defaultValue = "3",
      description = "Worker services (replicas of the worker; 1..64, default: ${DEFAULT-VALUE}).")
  int workers;

  @Option(names = "--work-ms", paramLabel = "MS", defaultValue = "20",
      description = "Simulated processing time per job in milliseconds (0..10000, default: ${DEFAULT-VALUE}).")
  int workMillis;

  @Option(names = "--fail-rate", paramLabel = "P", defaultValue = "0.01",
      description = "Share of processing attempts that fail and are retried (0..0.5, default: ${DEFAULT-VALUE}).")
  double failRate;

  @Option(names = "--chaos", negatable = true, defaultValue = "true", fallbackValue = "true",
      description = "Kill/restart workers, crash replicas, kill the scheduler, roll out an upgrade "
          + "(default: on; --no-chaos runs the flow undisturbed).")
  boolean chaos;

  @Option(names = "--max-seconds", paramLabel = "S", defaultValue = "180",
      description = "Give up (exit 1) if the jobs have not all completed after this many seconds (default: ${DEFAULT-VALUE}).")
  int maxSeconds;

  @Option(names = "--out", paramLabel = "DIR", defaultValue = "target/cohort-demo",
      description = "Where the chart goes (default: ${DEFAULT-VALUE}).")
  Path out;

  @Override
  public Integer call() throws InterruptedException {
    validate();
    PrintWriter w = spec.commandLine().getOut();
    JobsScenario.Config config = new JobsScenario.Config(jobs, workers, Duration.ofMillis(workMillis), failRate, chaos,
        backend.seed(), Duration.ofSeconds(maxSeconds), out, true);
    try (DemoCluster cluster = DemoCluster.start(backend)) {
      JobsScenario.Result r = new JobsScenario(config, cluster, w, System.console() != null).run();
      w.println();
      JobsScenario.printTable(w, r);
      w.printf("chart: %s%n", r.chart().toAbsolutePath());
      w.println(r.allCompleted() ? "OK: every job completed." : "FAILED: " + r.lost() + " jobs never completed.");
      return r.allCompleted() ? 0 : 1;
    }
  }

  private void validate() {
    backend.validate();
    require(jobs >= 1 && jobs <= 10_000, "--jobs must be in 1..10000, got " + jobs);
    require(workers >= 1 && workers <= 64, "--workers must be in 1..64, got " + workers);
    require(workMillis >= 0 && workMillis <= 10_000, "--work-ms must be in 0..10000, got " + workMillis);
    require(failRate >= 0 && failRate <= 0.5, "--fail-rate must be in 0..0.5, got " + failRate);
    require(maxSeconds >= 1, "--max-seconds must be positive, got " + maxSeconds);
  }

  private void require(boolean ok, String message) {
    if (!ok) {
      throw new ParameterException(spec.commandLine(), message);
    }
  }
}
