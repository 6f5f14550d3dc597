package dev.cohort.testing;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cohort.recipes.Cohort;
import dev.cohort.spi.CreateMode;
import dev.cohort.spi.Session;
import dev.cohort.spi.SessionState;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The embedded ZooKeeper fixture: a real server, real expiry, and refusals for what it cannot do. */
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
    try (dev.cohort.zookeeper.ZooKeeperBackend own = dev.cohort.zookeeper.ZooKeeperBackend.connect(address)) {
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
    assertEquals(Fault.LOSE_REPLY,
        assertThrows(UnsupportedFaultException.class, () -> fixture.loseNextReply(client)).fault());
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
}
