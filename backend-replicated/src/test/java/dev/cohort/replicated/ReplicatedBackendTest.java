package dev.cohort.replicated;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cohort.spi.ConnectionLossException;
import dev.cohort.spi.CreateMode;
import dev.cohort.spi.DataTooLargeException;
import dev.cohort.spi.NoNodeException;
import dev.cohort.spi.Session;
import dev.cohort.spi.SessionConfig;
import dev.cohort.spi.SessionState;
import dev.cohort.spi.WatchEvent;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The real-time driver end to end: replication, stale reads and sync, failover, session moves. */
class ReplicatedBackendTest {
  private ReplicatedBackend backend;

  @AfterEach
  void close() {
    if (backend != null) {
      backend.close();
    }
  }

  private Session open(Duration timeout) {
    return backend.openSession(SessionConfig.withTimeout(timeout)).join();
  }

  private static byte[] b(String s) {
    return s.getBytes(java.nio.charset.StandardCharsets.UTF_8);
  }

  @Test
  void writeOnOneReplicaIsVisibleOnAnotherAfterSync() {
    backend = ReplicatedBackend.create();
    Session a = open(Duration.ofSeconds(10));
    Session b = open(Duration.ofSeconds(10));
    assertNotEquals(backend.faults().replicaOf(a), backend.faults().replicaOf(b), "sessions spread over replicas");
    a.create("/x", b("1"), CreateMode.PERSISTENT).join();
    b.sync("/x").join();
    assertArrayEquals(b("1"), b.getData("/x").join().data());
  }

  @Test
  void sessionReadsItsOwnWritesInIssueOrder() {
    backend = ReplicatedBackend.create();
    Session a = open(Duration.ofSeconds(10));
    var create = a.create("/own", b("v"), CreateMode.PERSISTENT);
    var read = a.getData("/own");
    assertEquals("/own", create.join().path());
    assertArrayEquals(b("v"), read.join().data(), "a read issued after a write sees it without sync");
  }

  @Test
  void writesSurviveLeaderCrashAndNewLeaderAcceptsWrites() {
    backend = ReplicatedBackend.create();
    Session a = open(Duration.ofSeconds(10));
    a.create("/before", new byte[0], CreateMode.PERSISTENT).join();
    await().until(() -> backend.faults().leader().isPresent());
    int leader = backend.faults().leader().getAsInt();
    backend.faults().crash(leader);
    await().atMost(Duration.ofSeconds(10)).until(() -> {
      var l = backend.faults().leader();
      return l.isPresent() && l.getAsInt() != leader;
    });
    await().atMost(Duration.ofSeconds(10)).ignoreExceptions().until(() -> {
      a.create("/after", new byte[0], CreateMode.PERSISTENT).join();
      return true;
    });
    assertTrue(a.exists("/before").join() != null, "the acknowledged write survived the leader's crash");
  }

  @Test
  void sessionMovesWhenItsReplicaCrashesKeepingIdEphemeralsAndWatches() {
    backend = ReplicatedBackend.create();
    Session owner = open(Duration.ofSeconds(6));
    Session other = open(Duration.ofSeconds(6));
    owner.create("/eph", new byte[0], CreateMode.EPHEMERAL).join();
    owner.create("/watched", b("0"), CreateMode.PERSISTENT).join();
    List<WatchEvent> events = new CopyOnWriteArrayList<>();
    owner.getData("/watched", events::add).join();
    List<SessionState> states = new CopyOnWriteArrayList<>();
    owner.addStateListener((s, st) -> states.add(st));
    int home = backend.faults().replicaOf(owner);
    long id = owner.id();
    backend.faults().crash(home);
    await().atMost(Duration.ofSeconds(10)).until(() -> states.contains(SessionState.RECONNECTED));
    assertEquals(id, owner.id());
    assertNotEquals(home, backend.faults().replicaOf(owner));
    other.sync("/").join();
    assertEquals(id, other.exists("/eph").join().ephemeralOwner(), "its ephemeral is kept");
    other.setData("/watched", b("1"), -1).join();
    await().atMost(Duration.ofSeconds(5)).until(() -> events.size() == 1);
    assertEquals(new WatchEvent(WatchEvent.Type.NODE_DATA_CHANGED, "/watched"), events.get(0));
  }

  @Test
  void expiryRemovesEphemeralsOnEveryReplica() {
    backend = ReplicatedBackend.create();
    Session owner = open(Duration.ofSeconds(6));
    Session other = open(Duration.ofSeconds(6));
    owner.create("/e", new byte[0], CreateMode.EPHEMERAL).join();
    await().until(() -> backend.faults().leader().isPresent());
    backend.faults().expire(owner);
    await().atMost(Duration.ofSeconds(5)).until(() -> owner.state() == SessionState.EXPIRED);
    other.sync("/").join();
    assertNull(other.exists("/e").join());
  }

  @Test
  void tooLargeDataIsRefusedAndChangesNothing() {
    backend = ReplicatedBackend.builder().maxDataBytes(10).build();
    Session a = open(Duration.ofSeconds(10));
    CompletionException e = assertThrows(CompletionException.class,
        () -> a.create("/big", new byte[11], CreateMode.PERSISTENT).join());
    assertTrue(e.getCause() instanceof DataTooLargeException, e.toString());
    assertThrows(CompletionException.class, () -> a.getData("/big").join());
    assertTrue(assertThrows(CompletionException.class, () -> a.getData("/big").join()).getCause()
        instanceof NoNodeException);
  }

  @Test
  void evenReplicaCountsAreRefusedWithAClearErrorAndTheBuilderKeepsItsSetting() {
    ReplicatedBackend.Builder builder = ReplicatedBackend.builder().replicas(5);
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> builder.replicas(4));
    assertTrue(e.getMessage().contains("1, 3, 5 or 7"), e.getMessage());
    backend = builder.build();
    assertEquals(5, backend.replicas(), "the refused count changed nothing");
  }

  @Test
  void sessionsOfACrashedClusterFailWithConnectionLossAndNewOnesAreRefused() {
    backend = ReplicatedBackend.create();
    Session a = open(Duration.ofSeconds(10));
    for (int i = 1; i <= 3; i++) {
      backend.faults().crash(i);
    }
    await().until(() -> a.state() == SessionState.SUSPENDED);
    assertTrue(assertThrows(CompletionException.class, () -> a.getData("/").join()).getCause()
        instanceof ConnectionLossException);
    CompletionException e = assertThrows(CompletionException.class, () -> backend.openSession().join());
    assertTrue(e.getCause() instanceof ConnectionLossException);
    assertTrue(e.getCause().getMessage().contains("every replica"), e.getCause().getMessage());
  }

  @Test
  void slowSessionLinkInRealTimeKeepsReplyOrderAndPastTheConnectionTimeoutMovesTheSession() {
    backend = ReplicatedBackend.create();
    Session s = open(Duration.ofSeconds(3)); // connection timeout 1 s
    int before = backend.faults().replicaOf(s);
    backend.faults().delaySessionLink(s, before, Duration.ofMillis(50));
    List<String> order = new CopyOnWriteArrayList<>();
    var first = s.create("/slow", b("a"), CreateMode.PERSISTENT).thenRun(() -> order.add("create"));
    var second = s.setData("/slow", b("b"), 0).thenRun(() -> order.add("set"));
    var third = s.getData("/slow").thenAccept(d -> order.add("read " + new String(d.data(),
        java.nio.charset.StandardCharsets.UTF_8)));
    java.util.concurrent.CompletableFuture.allOf(first, second, third).join();
    assertEquals(List.of("create", "set", "read b"), order);
    assertEquals(before, backend.faults().replicaOf(s), "50 ms is well within the connection timeout");
    backend.faults().delaySessionLink(s, before, Duration.ofSeconds(30));
    await().atMost(Duration.ofSeconds(20)).until(() -> backend.faults().replicaOf(s) != before
        && s.state() == SessionState.RECONNECTED);
    assertArrayEquals(b("b"), s.getData("/slow").join().data(), "the moved session goes on where it was");
  }
}
