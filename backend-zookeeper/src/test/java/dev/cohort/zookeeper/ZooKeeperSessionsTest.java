package dev.cohort.zookeeper;

import static dev.cohort.zookeeper.Futures.failure;
import static dev.cohort.zookeeper.Futures.join;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cohort.spi.BackendFailureException;
import dev.cohort.spi.ConnectionLossException;
import dev.cohort.spi.CreateMode;
import dev.cohort.spi.Session;
import dev.cohort.spi.SessionClosedException;
import dev.cohort.spi.SessionConfig;
import dev.cohort.spi.SessionExpiredException;
import dev.cohort.spi.SessionState;
import dev.cohort.spi.WatchEvent;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import org.apache.zookeeper.KeeperException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Session lifecycle, faults, authentication and configuration against a real server. */
class ZooKeeperSessionsTest {

  private ZooKeeperFixture fixture;

  @BeforeEach
  void start() {
    fixture = new ZooKeeperFixture();
  }

  @AfterEach
  void stop() {
    fixture.close();
  }

  private static List<SessionState> recordStates(Session session) {
    List<SessionState> states = new CopyOnWriteArrayList<>();
    session.addStateListener((s, state) -> states.add(state));
    return states;
  }

  @Test
  void openSessionIsConnectedWithTheTimeoutTheServerGranted() {
    Session asked20s = fixture.openSession(Duration.ofSeconds(20));
    Session askedTooLittle = fixture.openSession(Duration.ofMillis(100));

    assertEquals(SessionState.CONNECTED, asked20s.state());
    assertTrue(asked20s.id() != 0);
    assertEquals(Duration.ofSeconds(20), asked20s.sessionTimeout());
    assertEquals(Duration.ofMillis(EmbeddedZooKeeper.MIN_SESSION_TIMEOUT_MS), askedTooLittle.sessionTimeout(),
        "the server clamps the timeout into its range");
  }

  /** Regression: CONNECTED used to be delivered after the session was handed out, to late listeners. */
  @Test
  void listenerAddedRightAfterOpenHearsOnlyLaterTransitions() {
    for (int i = 0; i < 5; i++) {
      Session session = fixture.openSession();
      List<SessionState> states = recordStates(session);
      session.close();
      assertEquals(List.of(SessionState.CLOSED), states);
    }
  }

  @Test
  void disconnectSuspendsAndReconnectResumesTheSameSessionWithItsEphemerals() {
    Session session = fixture.openSession();
    long id = session.id();
    join(session.create("/mine", new byte[0], CreateMode.EPHEMERAL));
    List<SessionState> states = recordStates(session);

    fixture.disconnect(session);
    assertEquals(SessionState.SUSPENDED, session.state());
    failure(ConnectionLossException.class, session.exists("/mine"));
    failure(ConnectionLossException.class, session.create("/other", new byte[0], CreateMode.PERSISTENT));
    fixture.reconnect(session);

    assertEquals(SessionState.RECONNECTED, session.state());
    assertEquals(id, session.id());
    assertEquals(id, join(session.exists("/mine")).ephemeralOwner());
    assertNull(join(session.exists("/other")), "the refused create was never sent");
    await().until(() -> states.size() >= 2);
    assertEquals(List.of(SessionState.SUSPENDED, SessionState.RECONNECTED), states);
  }

  @Test
  void expiryDeletesEphemeralsFiresOtherSessionsWatchesAndEndsTheSession() {
    Session doomed = fixture.openSession();
    Session witness = fixture.openSession();
    join(doomed.create("/lease", new byte[0], CreateMode.EPHEMERAL));
    List<WatchEvent> seen = new CopyOnWriteArrayList<>();
    join(witness.exists("/lease", seen::add));
    List<SessionState> states = recordStates(doomed);

    fixture.expire(doomed);

    assertEquals(SessionState.EXPIRED, doomed.state());
    assertNull(join(witness.exists("/lease")));
    await().until(() -> seen.size() == 1);
    assertEquals(new WatchEvent(WatchEvent.Type.NODE_DELETED, "/lease"), seen.get(0));
    failure(SessionExpiredException.class, doomed.exists("/"));
    doomed.close();
    assertEquals(SessionState.EXPIRED, doomed.state(), "EXPIRED is terminal; close does not change it");
    // The server drops the expired session's connection, so a real client may first see the
    // connection go (SUSPENDED) and learn of the expiry when it tries to resume.
    await().until(() -> states.contains(SessionState.EXPIRED));
    assertTrue(states.equals(List.of(SessionState.EXPIRED))
        || states.equals(List.of(SessionState.SUSPENDED, SessionState.EXPIRED)), states.toString());
  }

  @Test
  void sessionExpiredWhileDisconnectedLearnsItOnReconnect() {
    Session session = fixture.openSession();
    join(session.create("/gone", new byte[0], CreateMode.EPHEMERAL));
    List<SessionState> states = recordStates(session);

    fixture.disconnect(session);
    fixture.expire(session);
    assertEquals(SessionState.SUSPENDED, session.state(), "nobody told the client yet");
    fixture.reconnect(session);

    assertEquals(SessionState.EXPIRED, session.state());
    await().until(() -> states.size() >= 2);
    assertEquals(List.of(SessionState.SUSPENDED, SessionState.EXPIRED), states);
    assertNull(join(fixture.openSession().exists("/gone")));
  }

  @Test
  void closeDeletesEphemeralsReportsClosedOnceAndRefusesLaterOperations() {
    Session session = fixture.openSession();
    Session witness = fixture.openSession();
    join(session.create("/tmp", new byte[0], CreateMode.EPHEMERAL));
    List<SessionState> states = recordStates(session);

    session.close();
    session.close();

    assertEquals(SessionState.CLOSED, session.state());
    assertEquals(List.of(SessionState.CLOSED), states);
    assertNull(join(witness.exists("/tmp")));
    failure(SessionClosedException.class, session.create("/after", new byte[0], CreateMode.PERSISTENT));
    assertNull(join(witness.exists("/after")));
  }

  @Test
  void openSessionFailsWithConnectionLossWhenNoServerAnswers() throws IOException {
    int deadPort;
    try (ServerSocket s = new ServerSocket(0)) {
      deadPort = s.getLocalPort();
    }
    try (ZooKeeperBackend backend = ZooKeeperBackend.builder()
        .connectString("127.0.0.1:" + deadPort)
        .connectionTimeout(Duration.ofMillis(300))
        .capabilities(Set.of())
        .build()) {
      failure(ConnectionLossException.class, backend.openSession());
    }
    ConnectionLossException probe = assertThrows(ConnectionLossException.class, () -> ZooKeeperBackend.builder()
        .connectString("127.0.0.1:" + deadPort)
        .connectionTimeout(Duration.ofMillis(300))
        .build());
    assertTrue(probe.getMessage().contains("capability probe"), probe.getMessage());
  }

  @Test
  void closingTheBackendClosesItsSessionsAndRefusesNewOnes() {
    ZooKeeperBackend backend = ZooKeeperBackend.connect(fixture.server().connectString());
    Session session = join(backend.openSession());
    join(session.create("/owned", new byte[0], CreateMode.EPHEMERAL));

    backend.close();

    assertEquals(SessionState.CLOSED, session.state());
    failure(SessionClosedException.class, backend.openSession());
    assertNull(join(fixture.openSession().exists("/owned")));
  }

  @Test
  void creatorAclKeepsClientsWithoutTheCredentialsOut() {
    String server = fixture.server().connectString();
    try (ZooKeeperBackend owner = ZooKeeperBackend.builder().connectString(server)
            .digestAuth("app", "s3cret").defaultAcl(ZooKeeperBackend.DefaultAcl.CREATOR_ALL).build();
        ZooKeeperBackend sameUser = ZooKeeperBackend.builder().connectString(server)
            .digestAuth("app", "s3cret").build();
        ZooKeeperBackend stranger = ZooKeeperBackend.builder().connectString(server)
            .digestAuth("intruder", "guess").build()) {
      join(join(owner.openSession()).create("/secret", "x".getBytes(StandardCharsets.UTF_8), CreateMode.PERSISTENT));

      BackendFailureException denied = failure(BackendFailureException.class,
          join(stranger.openSession()).getData("/secret"));
      assertInstanceOf(KeeperException.NoAuthException.class, denied.getCause());
      failure(BackendFailureException.class, join(stranger.openSession()).setData("/secret", new byte[0], -1));
      assertArrayEquals("x".getBytes(StandardCharsets.UTF_8), join(join(sameUser.openSession()).getData("/secret")).data());
    }
  }

  @Test
  void chrootInTheConnectStringMakesASubtreeTheRoot() {
    Session outside = fixture.openSession();
    join(outside.create("/app", new byte[0], CreateMode.PERSISTENT));
    try (ZooKeeperBackend chrooted = ZooKeeperBackend.connect(fixture.server().connectString() + "/app")) {
      Session inside = join(chrooted.openSession());
      String created = join(inside.create("/job-", new byte[0], CreateMode.PERSISTENT_SEQUENTIAL)).path();
      List<WatchEvent> seen = new CopyOnWriteArrayList<>();
      join(inside.exists("/flag", seen::add));
      join(outside.create("/app/flag", new byte[0], CreateMode.PERSISTENT));

      assertEquals("/job-0000000000", created);
      assertNotNull(join(outside.exists("/app/job-0000000000")));
      await().until(() -> seen.size() == 1);
      assertEquals(new WatchEvent(WatchEvent.Type.NODE_CREATED, "/flag"), seen.get(0), "event paths are chroot-relative");
    }
  }

  @Test
  void defaultSessionTimeoutOfTheBuilderAppliesToOpenSession() {
    try (ZooKeeperBackend backend = ZooKeeperBackend.builder().connectString(fixture.server().connectString())
        .defaultSessionTimeout(Duration.ofSeconds(7)).build()) {
      assertEquals(Duration.ofSeconds(7), join(backend.openSession()).sessionTimeout());
      assertEquals(Duration.ofSeconds(9), join(backend.openSession(SessionConfig.withTimeout(Duration.ofSeconds(9)))).sessionTimeout());
    }
  }

  @Test
  void builderRejectsBadSettingsWithClearErrors() {
    assertThrows(IllegalStateException.class, () -> ZooKeeperBackend.builder().build());
    assertThrows(IllegalStateException.class, () -> ZooKeeperBackend.builder()
        .connectString("127.0.0.1:1").defaultAcl(ZooKeeperBackend.DefaultAcl.CREATOR_ALL).build());
    assertThrows(IllegalArgumentException.class, () -> ZooKeeperBackend.builder().connectString("127.0.0.1:2181/bad/"));
    assertThrows(IllegalArgumentException.class, () -> ZooKeeperBackend.builder().connectString(""));
    assertThrows(IllegalArgumentException.class, () -> ZooKeeperBackend.builder().maxDataBytes(0));
    assertThrows(IllegalArgumentException.class, () -> ZooKeeperBackend.builder().connectionTimeout(Duration.ZERO));
    assertThrows(IllegalArgumentException.class, () -> ZooKeeperBackend.builder().digestAuth("a:b", "pw"));
    assertThrows(NullPointerException.class, () -> ZooKeeperBackend.builder().connectString(null));
  }
}
