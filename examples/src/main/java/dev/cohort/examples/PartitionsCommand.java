package dev.cohort.examples;

import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code partitions}: see {@link PartitionsScenario}. */
@Command(name = "partitions", mixinStandardHelpOptions = true,
    description = {"Partitions shared by members with PartitionClaimer: members join, one leaves, one "
        + "crashes; after each step every partition has exactly one owner again and the shares differ "
        + "by at most one. Shows the shares and how many partitions moved (sticky: only what must).",
        "Exit code 0 if balance was restored after every step."})
final class PartitionsCommand implements Callable<Integer> {

  @Spec
  CommandSpec spec;

  @Mixin
  BackendOptions backend;

  @Option(names = "--partitions", paramLabel = "P", defaultValue = "100",
      description = "Partitions to share (1..1000, default: ${DEFAULT-VALUE}).")
  int partitions;

  @Option(names = "--members", paramLabel = "M", defaultValue = "3",
      description = "Members at the start (2..20, default: ${DEFAULT-VALUE}); one more joins, one leaves, one crashes.")
  int members;

  @Override
  public Integer call() throws InterruptedException {
    backend.validate();
    CommonOptions.requireRange(spec, "--partitions", partitions, 1, 1000);
    CommonOptions.requireRange(spec, "--members", members, 2, 20);
    try (DemoCluster cluster = DemoCluster.start(backend)) {
      PartitionsScenario.Result r = new PartitionsScenario(cluster, spec.commandLine().getOut(), partitions, members, 30)
          .run();
      spec.commandLine().getOut().println(r.balancedAfterEveryStep()
          ? "OK: every partition had one owner and the shares were balanced after every step."
          : "FAILED: balance was not restored after some step.");
      return r.balancedAfterEveryStep() ? 0 : 1;
    }
  }
}
