package dev.cohort.replicated;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cohort.spi.CreateMode;
import dev.cohort.spi.Session;
import dev.cohort.spi.SessionConfig;
import dev.cohort.spi.SessionState;
import dev.cohort.spi.Stat;
import dev.cohort.spi.WatchEvent;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Slow links between a session and its replica ({@link ReplicatedFaults#delaySessionLink}), through
 * the public API on virtual time: replies come late but in order, watch events still precede the
 * data that reveals them, and a delay past the connection or session timeout has the usual
 * consequences (the session moves, or expires).
 */
class SessionLinkDelayTest {
  private ReplicatedSimulation sim;

  @AfterEach
  void close() {
    if (sim != null) {
      sim.close();
    }
  }

  private <T> T await(CompletableFuture<T> f) {
    assertTrue(sim.runUntil(f::isDone, Duration.ofSeconds(30)), "did not complete within 30 s of virtual time");
    return f.join();
  }

  private Session open(Duration timeout) {
    return await(sim.backend().openSession(SessionConfig.withTimeout(timeout)));
  }

  private void moveAndSettle(Session s, int replica) {
    sim.faults().moveSession(s, replica);
    assertTrue(sim.runUntil(() -> s.state() == SessionState.RECONNECTED, Duration.ofSeconds(5)));
  }

  @Test
  void delayedSessionLinkDelaysRepliesButKeepsTheirOrder() {
    sim = ReplicatedSimulation.create(3, 11);
    Session s = open(Duration.ofSeconds(6));
    int replica = sim.faults().replicaOf(s);
    sim.faults().delaySessionLink(s, replica, Duration.ofMillis(400));
    List<String> completed = new ArrayList<>();
    List<CompletableFuture<?>> all = new ArrayList<>();
    for (int i = 0; i < 4; i++) {
      String path = "/n" + i;
      all.add(s.create(path, new byte[] {(byte) i}, CreateMode.PERSISTENT).whenComplete((r, e) -> completed.add(path)));
      all.add(s.getData(path).whenComplete((d, e) -> completed.add("read " + path + "=" + d.data()[0])));
    }
    sim.runFor(Duration.ofMillis(790));
    assertEquals(List.of(), completed, "no reply can be back before a round trip of 2 x 400 ms");
    assertTrue(sim.runUntil(() -> all.stream().allMatch(CompletableFuture::isDone), Duration.ofSeconds(10)));
    assertEquals(List.of("/n0", "read /n0=0", "/n1", "read /n1=1", "/n2", "read /n2=2", "/n3", "read /n3=3"),
        completed, "replies complete in issue order, each read seeing the session's own earlier write");
    assertEquals(replica, sim.faults().replicaOf(s), "a delay shorter than the connection timeout keeps the replica");
    assertEquals(SessionState.CONNECTED, s.state());
  }

  @Test
  void watchEventStillPrecedesTheReplyRevealingItsChangeWhenTheDelayShrinksMidFlight() {
    sim = ReplicatedSimulation.create(3, 12);
    Session watcher = open(Duration.ofSeconds(6));
    Session writer = open(Duration.ofSeconds(6));
    int replica = sim.faults().leader().getAsInt();
    moveAndSettle(watcher, replica);
    moveAndSettle(writer, replica);
    await(writer.create("/w", new byte[] {0}, CreateMode.PERSISTENT));
    List<String> seen = new ArrayList<>();
    await(watcher.getData("/w", (WatchEvent e) -> seen.add(e.type() + " " + e.path())));
    sim.faults().delaySessionLink(watcher, replica, Duration.ofMillis(800));
    // the writer shares the replica, so once its write completes the event is already on its way
    await(writer.setData("/w", new byte[] {1}, -1));
    sim.faults().delaySessionLink(watcher, replica, Duration.ZERO);
    CompletableFuture<Void> read = watcher.getData("/w").thenAccept(d -> seen.add("data " + d.data()[0]));
    await(read);
    assertEquals(List.of("NODE_DATA_CHANGED /w", "data 1"), seen,
        "the reply sent promptly still waited behind the slow event sent before it");
  }

  @Test
  void sessionLinkSlowerThanTheConnectionTimeoutMovesTheSessionWhichStaysAlive() {
    sim = ReplicatedSimulation.create(3, 13);
    Session s = open(Duration.ofSeconds(3)); // connection timeout 1 s
    Session observer = open(Duration.ofSeconds(6));
    await(s.create("/mine", new byte[0], CreateMode.EPHEMERAL));
    int before = sim.faults().replicaOf(s);
    List<SessionState> states = new ArrayList<>();
    s.addStateListener((session, state) -> states.add(state));
    sim.faults().delaySessionLink(s, before, Duration.ofSeconds(5));
    assertTrue(sim.runUntil(() -> s.state() == SessionState.RECONNECTED, Duration.ofSeconds(10)));
    assertNotEquals(before, sim.faults().replicaOf(s), "the session left the replica it could not hear in time");
    assertEquals(List.of(SessionState.SUSPENDED, SessionState.RECONNECTED), states);
    await(s.setData("/mine", new byte[] {7}, -1));
    await(observer.sync("/mine"));
    Stat stat = await(observer.exists("/mine"));
    assertEquals(s.id(), stat.ephemeralOwner(), "the moved session kept its ephemeral: it never expired");
    assertEquals(1, stat.version());
  }

  @Test
  void sessionSlowToEveryReplicaBeyondItsTimeoutExpires() {
    sim = ReplicatedSimulation.create(3, 14);
    Session s = open(Duration.ofSeconds(2));
    Session observer = open(Duration.ofSeconds(6));
    await(s.create("/gone", new byte[0], CreateMode.EPHEMERAL));
    for (int replica = 1; replica <= 3; replica++) {
      sim.faults().delaySessionLink(s, replica, Duration.ofSeconds(20));
    }
    sim.runFor(Duration.ofSeconds(5)); // well past the 2 s session timeout, well short of one 20 s trip
    CompletableFuture<Stat> probe = observer.sync("/gone").thenCompose(v -> observer.exists("/gone"));
    assertNull(await(probe), "the leader expired the session it could not hear and deleted its ephemeral");
    assertFalse(s.state().isConnected(), "the slow session knows it is cut off: " + s.state());
    sim.faults().heal();
    assertTrue(sim.runUntil(() -> s.state() == SessionState.EXPIRED, Duration.ofSeconds(10)),
        "once it reaches the service again it learns it expired");
  }

  @Test
  void badSessionLinkDelayIsRefusedAndChangesNothing() {
    sim = ReplicatedSimulation.create(3, 15);
    Session s = open(Duration.ofSeconds(6));
    sim.faults().delaySessionLink(s, 2, Duration.ofMillis(100));
    assertThrows(IllegalArgumentException.class, () -> sim.faults().delaySessionLink(s, 2, Duration.ofMillis(-1)));
    assertThrows(IllegalArgumentException.class, () -> sim.faults().delaySessionLink(s, 2, Duration.ofDays(2)));
    assertThrows(IllegalArgumentException.class, () -> sim.faults().delaySessionLink(s, 0, Duration.ZERO));
    assertThrows(IllegalArgumentException.class, () -> sim.faults().delaySessionLink(s, 4, Duration.ZERO));
    assertThrows(NullPointerException.class, () -> sim.faults().delaySessionLink(s, 2, null));
    assertEquals(Duration.ofMillis(100), sim.faults().sessionLinkDelay(s, 2), "the earlier delay stands");
    assertEquals(Duration.ZERO, sim.faults().sessionLinkDelay(s, 1));
    assertEquals(Duration.ZERO, sim.faults().sessionLinkDelay(s, 3));
    sim.faults().heal();
    assertEquals(Duration.ZERO, sim.faults().sessionLinkDelay(s, 2), "heal removes session link delays");
  }
}
