package dev.cohort.examples;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Each subcommand's story at a small size, judged by its outcome (every job completed, one leader
 * per term, balance restored...), never by its console text.
 */
class DemoScenariosTest {

  private static final PrintWriter QUIET = new PrintWriter(new StringWriter());

  @TempDir
  Path out;

  private static DemoCluster start(DemoCluster.Kind kind) {
    return DemoCluster.start(BackendOptions.of(kind, 3, 7));
  }

  @Test
  void jobsAllCompleteThroughWorkerKillsReplicaCrashesSchedulerFailoverAndRollingUpgrade()
      throws InterruptedException, IOException {
    JobsScenario.Config config = new JobsScenario.Config(150, 3, Duration.ofMillis(1), 0.02, true, 7,
        Duration.ofSeconds(60), out, true);
    JobsScenario.Result r;
    try (DemoCluster cluster = start(DemoCluster.Kind.REPLICATED)) {
      r = new JobsScenario(config, cluster, QUIET, false).run();
    }
    assertTrue(r.allCompleted(), "lost jobs: " + r.lost());
    assertEquals(150, r.completed());
    assertEquals(2, r.workerKills());
    assertEquals(2, r.replicaCrashes(), "a follower and the leader crashed and restarted");
    assertEquals(3, r.workersUpgraded(), "every v1 worker was replaced by a v2");
    assertTrue(r.schedulerFailovers() >= 1, "the standby scheduler took over from the killed leader");
    assertTrue(r.backendLeaderChanges() >= 1, "the backend elected a new leader after its leader crashed");
    byte[] png = Files.readAllBytes(r.chart());
    assertArrayEquals(new byte[] {(byte) 0x89, 'P', 'N', 'G'}, java.util.Arrays.copyOf(png, 4));
    assertTrue(r.chart().startsWith(out), "the chart goes under the output directory");
  }

  @Test
  void jobsWithoutFaultsCompleteOnTheInMemoryBackend() throws InterruptedException {
    JobsScenario.Config config = new JobsScenario.Config(60, 2, Duration.ZERO, 0, false, 1,
        Duration.ofSeconds(30), out, false);
    try (DemoCluster cluster = start(DemoCluster.Kind.INMEMORY)) {
      JobsScenario.Result r = new JobsScenario(config, cluster, QUIET, false).run();
      assertTrue(r.allCompleted());
      assertEquals(0, r.workerKills() + r.replicaCrashes() + r.workersUpgraded(), "no faults were injected");
    }
  }

  @Test
  void capacityMeasuresEachWorkerCountAndChartsThem() throws InterruptedException {
    CapacityCommand.Result r = CapacityCommand.run(BackendOptions.of(DemoCluster.Kind.INMEMORY, 1, 3), QUIET, 2, 30,
        2, out, true);
    assertTrue(r.allCompleted());
    assertArrayEquals(new int[] {1, 2}, r.workers());
    assertTrue(r.jobsPerSecond()[0] > 0 && r.jobsPerSecond()[1] > 0);
    assertTrue(Files.exists(r.chart()));
  }

  @Test
  void kneeIsTheLastWorkerCountWhoseDoublingStillPaid() {
    int[] workers = {1, 2, 4, 8};
    assertEquals(4, CapacityCommand.knee(workers, new double[] {50, 98, 180, 190}));
    assertEquals(1, CapacityCommand.knee(workers, new double[] {50, 55, 56, 57}));
    assertEquals(0, CapacityCommand.knee(workers, new double[] {50, 100, 200, 400}), "linear: no knee");
  }

  @Test
  void leaderHandsOverToExactlyOneSuccessorWithALargerTermEachTime() throws InterruptedException {
    try (DemoCluster cluster = start(DemoCluster.Kind.INMEMORY)) {
      LeaderCommand.Result r = LeaderCommand.run(cluster, QUIET, 4, 3);
      assertTrue(r.oneLeaderPerTerm());
      assertEquals(4, r.terms(), "the first leader and three successors");
      assertEquals(3, r.handoverMillis().size());
    }
  }

  @Test
  void lockReleaseWakesAtMostOneWaiterWhileTheNaiveLockWakesMore() throws Exception {
    try (DemoCluster cluster = start(DemoCluster.Kind.INMEMORY)) {
      LocksCommand.Result r = LocksCommand.run(cluster, QUIET, 8);
      assertTrue(r.exclusive());
      assertEquals(8, r.acquisitions());
      assertTrue(r.recipePerRelease() <= 1.0, "notifications per release: " + r.recipePerRelease());
    }
  }

  @Test
  void partitionsAreBalancedWithOneOwnerEachAfterJoinLeaveAndCrash() throws InterruptedException {
    try (DemoCluster cluster = start(DemoCluster.Kind.INMEMORY)) {
      PartitionsScenario.Result r = new PartitionsScenario(cluster, QUIET, 30, 3, 20).run();
      assertTrue(r.balancedAfterEveryStep(), r.steps().toString());
      assertEquals(4, r.steps().size());
      assertEquals(2, r.steps().get(3).shares().size(), "after one left and one crashed, two members remain");
    }
  }

  @Test
  void discoveryChangeReachesEveryInstanceAndACrashedInstanceVanishes() throws InterruptedException {
    try (DemoCluster cluster = start(DemoCluster.Kind.REPLICATED)) {
      DiscoveryCommand.Result r = DiscoveryCommand.run(cluster, QUIET, 4);
      assertTrue(r.ok(), r.toString());
      assertEquals(4, r.sawNewConfig());
      assertEquals(3, r.afterCrash());
    }
  }
}
