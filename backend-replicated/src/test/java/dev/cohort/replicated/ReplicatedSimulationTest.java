package dev.cohort.replicated;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cohort.spi.CreateMode;
import dev.cohort.spi.NodeData;
import dev.cohort.spi.Session;
import dev.cohort.spi.SessionConfig;
import dev.cohort.spi.SessionState;
import dev.cohort.spi.Stat;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

/**
 * Replication behaviour recipes meet, shown deterministically on virtual time: stale reads and
 * sync, session moves, expiry through the log, and failover that keeps live sessions.
 */
class ReplicatedSimulationTest {
  private ReplicatedSimulation sim;

  private <T> T await(CompletableFuture<T> f) {
    assertTrue(sim.runUntil(f::isDone, Duration.ofSeconds(30)), "did not complete within 30 s of virtual time");
    return f.join();
  }

  private Session open(Duration timeout) {
    return await(sim.backend().openSession(SessionConfig.withTimeout(timeout)));
  }

  @Test
  void followerReadIsStaleUntilSyncCatchesItUp() {
    sim = ReplicatedSimulation.create(3, 1);
    Session writer = open(Duration.ofSeconds(5));
    Session reader = open(Duration.ofSeconds(5));
    int leader = sim.faults().leader().getAsInt();
    int follower = leader % 3 + 1;
    sim.faults().moveSession(writer, leader);
    sim.faults().moveSession(reader, follower);
    assertTrue(sim.runUntil(() -> reader.state() == SessionState.RECONNECTED
        && writer.state() == SessionState.RECONNECTED, Duration.ofSeconds(5)));
    await(writer.create("/x", new byte[] {1}, CreateMode.PERSISTENT));
    await(reader.sync("/x"));
    // the follower now hears the leader 300 ms late; the other follower keeps the majority fast
    sim.backend().cluster().network().setLink(leader, follower,
        new LinkConfig(Duration.ofMillis(300), Duration.ofMillis(300), 0, 0));
    await(writer.setData("/x", new byte[] {2}, -1));
    NodeData stale = await(reader.getData("/x"));
    assertEquals(1, stale.data()[0], "the reader's replica has not applied the write yet");
    await(reader.sync("/x"));
    assertEquals(2, await(reader.getData("/x")).data()[0], "sync then read sees every completed write");
  }

  @Test
  void sessionNeverSeesOlderViewAfterMove() {
    sim = ReplicatedSimulation.create(3, 2);
    Session s = open(Duration.ofSeconds(6));
    Session writer = open(Duration.ofSeconds(6));
    int leader = sim.faults().leader().getAsInt();
    int lagging = leader % 3 + 1;
    int fresh = lagging % 3 + 1;
    sim.faults().moveSession(s, fresh);
    await(writer.create("/v", new byte[0], CreateMode.PERSISTENT));
    // the lagging replica hears the leader 600 ms late from now on (its sessions wait up to 2 s)
    sim.backend().cluster().network().setLink(leader, lagging,
        new LinkConfig(Duration.ofMillis(600), Duration.ofMillis(600), 0, 0));
    for (int i = 0; i < 5; i++) {
      await(writer.setData("/v", new byte[] {(byte) i}, -1));
    }
    await(s.sync("/v"));
    Stat seen = await(s.exists("/v"));
    assertEquals(5, seen.version());
    sim.faults().moveSession(s, lagging);
    assertTrue(sim.runUntil(() -> s.state() == SessionState.RECONNECTED, Duration.ofSeconds(10)));
    assertEquals(lagging, sim.faults().replicaOf(s));
    Stat after = await(s.exists("/v"));
    assertTrue(after.mzxid() >= seen.mzxid(), "view went back from " + seen.mzxid() + " to " + after.mzxid());
    assertEquals(5, after.version(), "the lagging replica served the session only once caught up");
  }

  @Test
  void expiryIsAReplicatedTransactionThatRemovesEphemeralsOnEveryReplica() {
    sim = ReplicatedSimulation.create(3, 3);
    Session owner = open(Duration.ofMillis(600));
    await(owner.create("/e", new byte[0], CreateMode.EPHEMERAL));
    ReplicatedSession rs = (ReplicatedSession) owner;
    sim.backend().onLoop(c -> {
      rs.disconnect();
      return null;
    });
    assertTrue(sim.runUntil(() -> {
      Cluster c = sim.backend().cluster();
      for (int id = 1; id <= 3; id++) {
        if (c.service(id).tree().stat("/e") != null) {
          return false;
        }
      }
      return true;
    }, Duration.ofSeconds(5)), "the leader expired the silent session on every replica");
    sim.faults().reconnect(owner);
    assertTrue(sim.runUntil(() -> owner.state() == SessionState.EXPIRED, Duration.ofSeconds(5)));
  }

  @Test
  void newLeaderDoesNotExpireLiveSessionsJustBecauseItIsNew() {
    sim = ReplicatedSimulation.create(3, 4);
    Session a = open(Duration.ofMillis(800));
    Session b = open(Duration.ofMillis(800));
    await(a.create("/ea", new byte[0], CreateMode.EPHEMERAL));
    await(b.create("/eb", new byte[0], CreateMode.EPHEMERAL));
    int leader = sim.faults().leader().getAsInt();
    sim.faults().crash(leader);
    sim.runFor(Duration.ofSeconds(5)); // many session timeouts after the failover
    assertNotEquals(leader, sim.faults().leader().orElse(leader));
    assertTrue(a.state().isConnected() && b.state().isConnected(), a.state() + " " + b.state());
    Session c = open(Duration.ofSeconds(5));
    await(c.sync("/"));
    assertEquals(a.id(), await(c.exists("/ea")).ephemeralOwner());
    assertEquals(b.id(), await(c.exists("/eb")).ephemeralOwner());
  }

  @Test
  void isolatedLeaderIsReplacedAndItsSessionsMoveToTheMajority() {
    sim = ReplicatedSimulation.create(3, 5);
    Session s = open(Duration.ofSeconds(2));
    int leader = sim.faults().leader().getAsInt();
    sim.faults().moveSession(s, leader);
    assertTrue(sim.runUntil(() -> s.state() == SessionState.RECONNECTED, Duration.ofSeconds(5)));
    assertEquals(leader, sim.faults().isolateLeader());
    assertTrue(sim.runUntil(() -> sim.faults().leader().isPresent() && sim.faults().leader().getAsInt() != leader
        && s.state() == SessionState.RECONNECTED && sim.faults().replicaOf(s) != leader, Duration.ofSeconds(10)));
    await(s.create("/after-isolation", new byte[0], CreateMode.PERSISTENT));
  }

  @Test
  void badFaultArgumentsAreRefusedAndChangeNothing() {
    sim = ReplicatedSimulation.create(3, 6);
    assertThrows(IllegalArgumentException.class, () -> sim.faults().crash(0));
    assertThrows(IllegalArgumentException.class, () -> sim.faults().crash(4));
    assertThrows(IllegalArgumentException.class, () -> sim.faults().partition(new int[] {1, 2}, new int[] {2, 3}));
    for (int id = 1; id <= 3; id++) {
      assertTrue(sim.faults().isRunning(id), "replica " + id + " still runs");
    }
    assertTrue(sim.runUntil(() -> sim.faults().leader().isPresent(), Duration.ofSeconds(5)));
    Session s = open(Duration.ofSeconds(5));
    assertNull(await(s.exists("/nothing")));
  }

  @Test
  void sameSeedAndCallsReplayTheSameRun() {
    long[] events = new long[2];
    for (int run = 0; run < 2; run++) {
      sim = ReplicatedSimulation.create(5, 77);
      Session s = open(Duration.ofSeconds(2));
      sim.faults().crash(sim.faults().leader().getAsInt());
      for (int i = 0; i < 20; i++) {
        s.create("/r" + i, new byte[0], CreateMode.PERSISTENT);
      }
      sim.runFor(Duration.ofSeconds(3));
      events[run] = sim.eventsRun();
    }
    assertEquals(events[0], events[1]);
  }
}
