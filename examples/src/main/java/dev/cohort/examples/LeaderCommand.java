package dev.cohort.examples;

import dev.cohort.recipes.Cohort;
import dev.cohort.recipes.leader.LeaderLatch;
import dev.cohort.testing.LeadershipHistory;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code leader}: N participants elect a leader with {@link LeaderLatch}; the demo kills the leader
 * again and again and times each hand-over. Terms are recorded in a {@link LeadershipHistory}: two
 * leaders at once, or a term whose fencing token did not grow, fails the run.
 */
@Command(name = "leader", mixinStandardHelpOptions = true,
    description = {"Leader election with LeaderLatch: N participants, the leader is killed R times; "
        + "each time exactly one successor takes over with a larger fencing token. Shows each "
        + "hand-over and its time.", "Exit code 0 if there was never more than one leader per term."})
final class LeaderCommand implements Callable<Integer> {

  @Spec
  CommandSpec spec;

  @Mixin
  BackendOptions backend;

  @Option(names = "--participants", paramLabel = "N", defaultValue = "5",
      description = "Participants (2..50, default: ${DEFAULT-VALUE}).")
  int participants;

  @Option(names = "--rounds", paramLabel = "R", defaultValue = "4",
      description = "Leaders to kill (1..N-1, default: ${DEFAULT-VALUE}).")
  int rounds;

  /** The outcome: hand-over times in milliseconds, and whether the history held. */
  record Result(List<Double> handoverMillis, int terms, boolean oneLeaderPerTerm) {}

  @Override
  public Integer call() throws InterruptedException {
    backend.validate();
    CommonOptions.requireRange(spec, "--participants", participants, 2, 50);
    CommonOptions.requireRange(spec, "--rounds", rounds, 1, participants - 1);
    try (DemoCluster cluster = DemoCluster.start(backend)) {
      Result r = run(cluster, spec.commandLine().getOut(), participants, rounds);
      spec.commandLine().getOut().println(r.oneLeaderPerTerm()
          ? "OK: one leader per term, fencing tokens growing, " + r.terms() + " terms."
          : "FAILED: the leadership history broke its guarantee (see above).");
      return r.oneLeaderPerTerm() ? 0 : 1;
    }
  }

  static Result run(DemoCluster cluster, PrintWriter out, int participants, int rounds) throws InterruptedException {
    out.printf("leader: %d participants, %d leaders killed, on the %s%n", participants, rounds, cluster.describe());
    LeadershipHistory history = new LeadershipHistory("/election");
    List<Cohort> clients = new ArrayList<>();
    List<LeaderLatch> latches = new ArrayList<>();
    for (int i = 0; i < participants; i++) {
      Cohort c = cluster.newClient();
      LeaderLatch latch = LeaderLatch.builder(c, "/election").id("p" + (i + 1)).build();
      latch.start();
      clients.add(c);
      latches.add(latch);
    }
    List<String[]> rows = new ArrayList<>();
    List<Double> handovers = new ArrayList<>();
    Timeline clock = new Timeline();
    int current = awaitSingleLeader(latches, clock, 30);
    long term = latches.get(current).currentTerm().orElseThrow().fencingToken().value();
    history.elected(latches.get(current).id(), term);
    rows.add(new String[] {"start", "-", latches.get(current).id(), String.valueOf(term), "-"});
    for (int round = 1; round <= rounds; round++) {
      LeaderLatch leader = latches.get(current);
      history.deposed(leader.id(), term); // recorded before the kill, so the record lies inside the term
      double killedAt = clock.now();
      cluster.kill(clients.get(current));
      latches.set(current, null);
      int next = awaitSingleLeader(latches, clock, 30);
      double millis = (clock.now() - killedAt) * 1000;
      long nextTerm = latches.get(next).currentTerm().orElseThrow().fencingToken().value();
      history.elected(latches.get(next).id(), nextTerm);
      handovers.add(millis);
      rows.add(new String[] {"kill " + leader.id(), leader.id() + " (term " + term + ")", latches.get(next).id(),
          String.valueOf(nextTerm), String.format("%.1f ms", millis)});
      current = next;
      term = nextTerm;
    }
    for (LeaderLatch l : latches) {
      if (l != null) {
        l.close();
      }
    }
    Table.print(out, new String[] {"round", "killed leader", "new leader", "term (fencing token)", "hand-over"}, rows);
    double[] sorted = handovers.stream().mapToDouble(Double::doubleValue).sorted().toArray();
    out.printf("hand-over: median %.1f ms, max %.1f ms (kill -> successor knows it leads)%n",
        sorted[sorted.length / 2], sorted[sorted.length - 1]);
    boolean ok;
    try {
      history.check();
      ok = true;
    } catch (AssertionError e) {
      out.println(e.getMessage());
      ok = false;
    }
    return new Result(Arrays.stream(sorted).boxed().toList(), history.terms(), ok);
  }

  /** Waits until exactly one live participant leads; returns its index. */
  private static int awaitSingleLeader(List<LeaderLatch> latches, Timeline clock, double limitSeconds) {
    double deadline = clock.now() + limitSeconds;
    while (clock.now() < deadline) {
      int found = -1;
      int count = 0;
      for (int i = 0; i < latches.size(); i++) {
        LeaderLatch l = latches.get(i);
        if (l != null && l.hasLeadership()) {
          found = i;
          count++;
        }
      }
      if (count == 1) {
        return found;
      }
      if (count > 1) {
        throw new IllegalStateException("two participants lead at once");
      }
      JobServices.pause(1);
    }
    throw new IllegalStateException("no leader after " + limitSeconds + " s");
  }

}
