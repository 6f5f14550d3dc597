package dev.cohort.testing;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cohort.recipes.Cohort;
import dev.cohort.recipes.FencingToken;
import dev.cohort.recipes.locks.DistributedLock;
import dev.cohort.spi.ConnectionLossException;
import dev.cohort.zookeeper.ZooKeeperBackend;
import java.util.List;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CopyOnWriteArrayList;
import dev.cohort.spi.CreateMode;
import dev.cohort.spi.Session;
import dev.cohort.spi.SessionState;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The embedded ZooKeeper fixture: a real server shared by the JVM's fixtures, a namespace per
 * fixture, real expiry, disconnects and lost replies through the relay, refusals for the rest.
 */
class ZooKeeperFixtureTest {

  @RegisterExtension
  final CohortExtension cohort = CohortExtension.zookeeper();

  @Test
  void realServerServesClientsAndExpiresSessionsForReal() throws InterruptedException {
    CohortFixture fixture = cohort.fixture();
    Cohort client = cohort.client();
    client.blocking().create("/zk", new byte[] {7}, CreateMode.PERSISTENT);
    Session owner = fixture.openSession(Duration.ofSeconds(10));
    owner.create("/zk/eph", new byte[0], CreateMode.EPHEMERAL).join();

    fixture.expire(owner);
    assertEquals(SessionState.EXPIRED, owner.state());
    assertNull(client.blocking().exists("/zk/eph", null), "the server deleted the expired session's ephemeral");
    assertNotNull(client.blocking().exists("/zk", null));
  }

  @Test
  void serverAddressIsOnLoopbackAndReachableByABackendOfOurOwn() throws InterruptedException {
    String address = cohort.fixture().zookeeperConnectString().orElseThrow();
    assertTrue(address.startsWith("127.0.0.1:"), address);
    cohort.client().blocking().create("/shared", new byte[0], CreateMode.PERSISTENT);
    try (ZooKeeperBackend own = ZooKeeperBackend.connect(address)) {
      Session session = own.openSession().join();
      assertNotNull(session.exists("/shared").join(), "a second backend on the address sees the same tree");
      session.close();
    }
  }

  @Test
  void faultsARealServerCannotProduceAreRefused() throws InterruptedException {
    CohortFixture fixture = cohort.fixture();
    Cohort client = cohort.client();
    assertEquals(Fault.VIRTUAL_TIME,
        assertThrows(UnsupportedFaultException.class, () -> fixture.advanceTime(Duration.ofSeconds(1))).fault());
    assertEquals(Fault.REPLICAS,
        assertThrows(UnsupportedFaultException.class, () -> fixture.crashReplica(1)).fault());
    client.blocking().create("/after-refusals", new byte[0], CreateMode.PERSISTENT);
    assertNotNull(client.blocking().exists("/after-refusals", null), "the refused faults left the session working");
  }

  @Test
  void crashedClientsEphemeralGoesAfterItsTimeoutAndItOpensNoSessionUntilRestarted() throws InterruptedException {
    CrashScenario.run(cohort.fixture(), cohort.client());
  }

  @Test
  void disconnectCutsASessionOffUntilReconnectAndTheServerKeepsItMeanwhile() throws InterruptedException {
    CohortFixture fixture = cohort.fixture();
    Cohort observer = cohort.client();
    Session owner = fixture.openSession(Duration.ofSeconds(10));
    owner.create("/held", new byte[0], CreateMode.EPHEMERAL).join();

    fixture.disconnect(owner);
    assertEquals(SessionState.SUSPENDED, owner.state(), "disconnect returns once the client noticed");
    assertNotNull(observer.blocking().exists("/held", null), "the server keeps a cut-off session until its timeout");
    fixture.reconnect(owner);
    await().atMost(Duration.ofSeconds(10)).until(() -> owner.state() == SessionState.RECONNECTED);
    assertEquals(owner.id(), observer.blocking().exists("/held", null).ephemeralOwner(), "the same session is back");

    Session direct = fixture.backend().openSession().join();
    assertThrows(IllegalArgumentException.class, () -> fixture.disconnect(direct),
        "a session opened on fixture.backend() connects directly and cannot be cut off");
    assertTrue(direct.state().isConnected(), "the refused disconnect changed nothing");
    direct.close();
  }

  @Test
  void lostReplyLeavesTheCreateAppliedWhileTheCallerSeesConnectionLoss() {
    CohortFixture fixture = cohort.fixture();
    Session session = fixture.openSession(Duration.ofSeconds(10));
    List<SessionState> states = new CopyOnWriteArrayList<>();
    session.addStateListener((s, state) -> states.add(state));

    fixture.loseNextReply(session);
    CompletionException e = assertThrows(CompletionException.class,
        () -> session.create("/maybe", new byte[] {1}, CreateMode.PERSISTENT).join());
    assertInstanceOf(ConnectionLossException.class, e.getCause(), "the outcome is unknown to the caller");
    await().atMost(Duration.ofSeconds(10)).until(() -> states.contains(SessionState.RECONNECTED));
    assertEquals(SessionState.SUSPENDED, states.get(0), "the lost reply cut the connection");
    assertNotNull(session.exists("/maybe").join(), "the server applied the create whose reply was lost");
    assertNotNull(session.create("/next", new byte[0], CreateMode.PERSISTENT).join(),
        "only one reply is lost: the same session works on");
  }

  @Test
  void lostReplyOnALockAcquireLeavesNoOrphanNode() throws Exception {
    CohortFixture fixture = cohort.fixture();
    Cohort client = cohort.client();
    DistributedLock lock = new DistributedLock(client, "/lock");
    fixture.loseNextReply(client);
    FencingToken token = lock.acquire();
    assertNotNull(token);
    assertEquals(1, client.blocking().getChildren("/lock", null).names().size(),
        "the client found the node its lost create made rather than leave it behind");
    lock.release();
  }

  @Test
  void declaredCapabilitiesAreWhatTheProbeFinds() {
    CohortFixture fixture = cohort.fixture();
    try (ZooKeeperBackend probed = ZooKeeperBackend.connect(fixture.zookeeperConnectString().orElseThrow())) {
      assertEquals(probed.capabilities(), fixture.backend().capabilities());
    }
  }

  @Test
  void fixturesShareOneServerButNeverSeeEachOthersNodesAndCloseDeletesTheirs() throws InterruptedException {
    CohortFixture first = cohort.fixture();
    cohort.client().blocking().create("/mine", new byte[0], CreateMode.PERSISTENT);
    String firstAddress = first.zookeeperConnectString().orElseThrow();
    String server = firstAddress.substring(0, firstAddress.indexOf('/'));
    String namespace;
    try (CohortFixture second = CohortFixture.zookeeper()) {
      String secondAddress = second.zookeeperConnectString().orElseThrow();
      namespace = secondAddress.substring(secondAddress.indexOf('/'));
      assertEquals(server, secondAddress.substring(0, secondAddress.indexOf('/')), "one server per JVM");
      assertNotEquals(firstAddress, secondAddress, "a namespace per fixture");
      Cohort other = second.newClient();
      assertNull(other.blocking().exists("/mine", null), "the first fixture's node is not in the second's tree");
      other.blocking().create("/theirs", new byte[0], CreateMode.PERSISTENT);
      other.blocking().create("/theirs/deep", new byte[0], CreateMode.PERSISTENT);
    }
    try (ZooKeeperBackend root = ZooKeeperBackend.connect(server)) {
      Session s = root.openSession().join();
      assertNull(s.exists(namespace).join(), "closing the second fixture deleted its namespace");
      assertNotNull(s.exists(firstAddress.substring(firstAddress.indexOf('/')) + "/mine").join());
      s.close();
    }
  }

  @Test
  void missingRuntimeClassGivesTheFixturesOwnMessageNamingTheArtifact() {
    ClassLoader withoutSnappy = new ClassLoader(getClass().getClassLoader()) {
      @Override
      protected Class<?> loadClass(String name, boolean resolve) throws ClassNotFoundException {
        if (name.startsWith("org.xerial.snappy.")) {
          throw new ClassNotFoundException(name);
        }
        return super.loadClass(name, resolve);
      }
    };
    IllegalStateException e = assertThrows(IllegalStateException.class,
        () -> Engines.requireRuntime(BackendKind.ZOOKEEPER, withoutSnappy));
    assertTrue(e.getMessage().contains("org.xerial.snappy:snappy-java"), e.getMessage());
    assertTrue(e.getMessage().contains("dev.cohort:testing-zookeeper"), e.getMessage());
    assertDoesNotThrow(() -> Engines.requireRuntime(BackendKind.ZOOKEEPER, getClass().getClassLoader()),
        "this module's tests have every class");
    // What @EveryBackendTest skips a ZooKeeper run with, and only a ZooKeeper run.
    assertTrue(Engines.unavailable(BackendKind.ZOOKEEPER, withoutSnappy).orElseThrow().contains("snappy-java"));
    assertTrue(Engines.unavailable(BackendKind.IN_MEMORY, withoutSnappy).isEmpty());
    assertTrue(Engines.unavailable(BackendKind.ZOOKEEPER, getClass().getClassLoader()).isEmpty());
  }
}
