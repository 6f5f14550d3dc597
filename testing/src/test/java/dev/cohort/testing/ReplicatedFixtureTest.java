package dev.cohort.testing;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cohort.recipes.Cohort;
import dev.cohort.recipes.leader.LeaderLatch;
import dev.cohort.replicated.ReplicatedBackend;
import dev.cohort.replicated.ReplicatedFaults;
import dev.cohort.spi.CreateMode;
import dev.cohort.spi.Session;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The replicated fixture: replica crashes, leader isolation, expiry through the log. */
class ReplicatedFixtureTest {

  @RegisterExtension
  final CohortExtension cohort = CohortExtension.replicated(3);

  @Test
  void leaderCrashElectsAnotherLeaderAndAcknowledgedWritesSurvive() throws InterruptedException {
    CohortFixture fixture = cohort.fixture();
    Cohort client = cohort.client();
    client.blocking().create("/before", new byte[0], CreateMode.PERSISTENT);
    int leader = fixture.awaitLeader();

    fixture.crashReplica(leader);
    assertFalse(fixture.isRunning(leader));
    await().atMost(Duration.ofSeconds(10))
        .until(() -> fixture.leader().isPresent() && fixture.leader().getAsInt() != leader);
    client.blocking().create("/after", new byte[0], CreateMode.PERSISTENT);
    assertNotNull(client.blocking().exists("/before", null), "the write acknowledged before the crash survived");

    fixture.restartReplica(leader);
    assertTrue(fixture.isRunning(leader));
  }

  @Test
  void isolatedLeaderIsReplacedByTheMajority() {
    CohortFixture fixture = cohort.fixture();
    int old = fixture.isolateLeader();
    await().atMost(Duration.ofSeconds(10))
        .until(() -> fixture.leader().isPresent() && fixture.leader().getAsInt() != old);
    assertNotEquals(old, fixture.leader().getAsInt());
    fixture.heal();
  }

  @Test
  void expiryThroughTheLogEndsLeadershipAndAnotherParticipantTakesOver() throws InterruptedException {
    LeadershipHistory history = cohort.check(new LeadershipHistory("/leader"));
    Cohort a = cohort.client();
    Cohort b = cohort.newClient();
    LeaderLatch first = LeaderLatch.builder(a, "/leader").id("a").build();
    first.start();
    assertTrue(first.await(Duration.ofSeconds(10)));
    long firstTerm = first.currentTerm().orElseThrow().fencingToken().value();
    history.elected("a", firstTerm);
    LeaderLatch second = LeaderLatch.builder(b, "/leader").id("b").build();
    second.start();

    history.deposed("a", firstTerm);
    cohort.fixture().expire(a);
    assertTrue(second.await(Duration.ofSeconds(10)), "the other participant leads once a's session expired");
    history.elected("b", second.currentTerm().orElseThrow().fencingToken().value());
    first.close();
    second.close();
  }

  @Test
  void rawSessionEphemeralGoesWhenTheFixtureExpiresIt() {
    CohortFixture fixture = cohort.fixture();
    Session owner = fixture.openSession(Duration.ofSeconds(10));
    Session observer = fixture.openSession();
    owner.create("/e", new byte[0], CreateMode.EPHEMERAL).join();
    fixture.expire(owner);
    observer.sync("/").join();
    assertNull(observer.exists("/e").join());
  }

  @Test
  void virtualTimeIsRefusedOnTheReplicatedBackend() {
    UnsupportedFaultException e = assertThrows(UnsupportedFaultException.class,
        () -> cohort.fixture().advanceTime(Duration.ofSeconds(1)));
    assertEquals(Fault.VIRTUAL_TIME, e.fault());
    assertThrows(IllegalArgumentException.class, () -> cohort.fixture().crashReplica(4));
    assertTrue(cohort.fixture().isRunning(1) && cohort.fixture().isRunning(2) && cohort.fixture().isRunning(3),
        "the refused crash of a replica that does not exist changed nothing");
  }

  /** How long a fault call may take before the test calls it hung: far below the 30 s it used to block. */
  private static final Duration HANG_GUARD = Duration.ofSeconds(10);

  @Test
  void expireWithoutAQuorumFailsAtOnceAndChangesNothing() {
    CohortFixture fixture = cohort.fixture();
    Session owner = fixture.openSession(Duration.ofSeconds(10));
    Session observer = fixture.openSession();
    owner.create("/kept", new byte[0], CreateMode.EPHEMERAL).join();
    int leader = fixture.awaitLeader();
    int[] others = java.util.stream.IntStream.rangeClosed(1, 3).filter(r -> r != leader).toArray();
    fixture.crashReplica(others[0]);
    fixture.crashReplica(others[1]);

    // Before: the fixture waited 30 s for a leader that cannot be elected, or the backend waited
    // 30 s for an expiry that cannot commit.
    ReplicatedFaults.NoQuorumException e = assertTimeoutPreemptively(HANG_GUARD,
        () -> assertThrows(ReplicatedFaults.NoQuorumException.class, () -> fixture.expire(owner)));
    assertTrue(e.getMessage().contains("majority"), e.getMessage());
    assertThrows(ReplicatedFaults.NoQuorumException.class, fixture::awaitLeader, "no leader can be elected either");

    fixture.restartReplica(others[0]);
    fixture.restartReplica(others[1]);
    fixture.awaitLeader();
    await().atMost(Duration.ofSeconds(10)).until(() -> observer.state().isConnected() && owner.state().isConnected());
    observer.sync("/").join();
    assertNotNull(observer.exists("/kept").join(), "the refused expiry changed nothing");
    fixture.expire(owner);
    observer.sync("/").join();
    assertNull(observer.exists("/kept").join(), "with a quorum back, the expiry goes through");
  }

  @Test
  void backendExpireOnALeaderCutOffFromTheMajorityFailsAtOnce() {
    CohortFixture fixture = cohort.fixture();
    ReplicatedFaults faults = ((ReplicatedBackend) fixture.backend()).faults();
    Session owner = fixture.openSession(Duration.ofSeconds(10));
    int leader = fixture.awaitLeader();
    faults.isolate(leader);

    // Right after the isolation the old leader still believes it leads (until its quorum check);
    // an expiry proposed to it could never commit. Either way the call must not block.
    IllegalStateException e = assertTimeoutPreemptively(HANG_GUARD,
        () -> assertThrows(IllegalStateException.class, () -> faults.expire(owner)));
    assertNotNull(e.getMessage());
    fixture.heal();
  }

  @Test
  void crashedClientsEphemeralGoesAfterItsTimeoutAndItOpensNoSessionUntilRestarted() throws InterruptedException {
    CrashScenario.run(cohort.fixture(), cohort.client());
  }
}
