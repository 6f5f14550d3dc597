package dev.cohort.replicated;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.time.Duration;
import org.junit.jupiter.api.Test;

/**
 * The main test of the replicated backend (STYLE.md point 13): deterministic simulation of the
 * whole service over many seeds, a safety phase with faults, a liveness phase after healing, and a
 * whole-cluster restart from storage. See {@link ClusterSimulation} for what is checked.
 *
 * <p>{@code -Dcohort.sim.seeds=N} runs N seeds (default 12, a few seconds); {@code
 * -Dcohort.sim.seed=S} replays one, printing nothing new: the same seed gives the same run.
 */
class ClusterSimulationTest {
  private static final String REPLAY = "./mvnw -o -pl backend-replicated test -Dtest=ClusterSimulationTest"
      + "#safetyThenLivenessOverManySeeds -Dcohort.sim.seed=";

  @Test
  void safetyThenLivenessOverManySeeds() {
    String one = System.getProperty("cohort.sim.seed");
    if (one != null) {
      ClusterSimulation s = check(Long.parseLong(one));
      System.out.println("seed " + one + ": " + s.summary());
      return;
    }
    int seeds = Integer.getInteger("cohort.sim.seeds", 12);
    for (long i = 1; i <= seeds; i++) {
      check(i * 104_729);
    }
  }

  @Test
  void sameSeedReplaysTheSameRun() {
    assertEquals(run(4242).fingerprint(), run(4242).fingerprint());
  }

  private static ClusterSimulation check(long seed) {
    ClusterSimulation s;
    try {
      s = run(seed);
    } catch (RuntimeException | AssertionError e) {
      throw new AssertionError("seed " + seed + " crashed the simulation; replay: " + REPLAY + seed, e);
    }
    if (!s.violations.isEmpty()) {
      fail("seed " + seed + " violated: " + s.violations + "\nreplay: " + REPLAY + seed);
    }
    return s;
  }

  private static ClusterSimulation run(long seed) {
    int replicas = new int[] {3, 3, 5, 1}[(int) Math.floorMod(seed, 4L)];
    ClusterSimulation s = new ClusterSimulation(seed, replicas);
    s.setUp(4);
    s.startFaults();
    s.sim.runFor(Duration.ofSeconds(8));
    s.healEverything();
    if (!s.writeSucceedsWithin(Duration.ofSeconds(10))) {
      s.violations.add("liveness: no write committed within 10 s after healing");
    }
    s.sim.runUntil(s::replicasConverged, Duration.ofSeconds(10));
    s.crashAll();
    s.healEverything();
    if (!s.writeSucceedsWithin(Duration.ofSeconds(10))) {
      s.violations.add("liveness: no write committed within 10 s after a whole-cluster restart");
    }
    s.sim.runFor(Duration.ofSeconds(3)); // let expiries of sessions lost in the restart happen
    if (!s.sim.runUntil(s::replicasConverged, Duration.ofSeconds(10))) {
      s.violations.add("liveness: replicas did not converge within 10 s");
    }
    s.faultsOn = false;
    s.checkFinalState();
    assertTrue(s.completed > 0, "the workload ran");
    return s;
  }
}
