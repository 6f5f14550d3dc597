package dev.cohort.testing;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cohort.etcd.EtcdBackend;
import dev.cohort.recipes.Cohort;
import dev.cohort.recipes.ConnectionState;
import dev.cohort.recipes.FencingToken;
import dev.cohort.recipes.locks.DistributedLock;
import dev.cohort.spi.CreateMode;
import dev.cohort.spi.Session;
import dev.cohort.spi.SessionState;
import io.etcd.jetcd.ByteSequence;
import io.etcd.jetcd.Client;
import io.etcd.jetcd.options.GetOption;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The etcd fixture: a real etcd process shared by the JVM's fixtures, a key prefix per fixture,
 * real lease expiry, crashes and disconnects through a per-session relay, refusals for the rest.
 */
class EtcdFixtureTest {

  @RegisterExtension
  final CohortExtension cohort = CohortExtension.etcd();

  @Test
  void lockPassesBetweenTwoClientsWithGrowingTokensAndAnExpiredHolderIsLostToItsSuccessor() throws Exception {
    CohortFixture fixture = cohort.fixture();
    assertTrue(fixture.backend() instanceof EtcdBackend, "the fixture runs on the etcd backend");
    Cohort first = cohort.client();
    Cohort second = cohort.newClient();
    List<ConnectionState> firstStates = new CopyOnWriteArrayList<>();
    first.addConnectionStateListener((client, state) -> firstStates.add(state));
    DistributedLock firstLock = new DistributedLock(first, "/orders");
    DistributedLock secondLock = new DistributedLock(second, "/orders");

    FencingToken t1 = firstLock.acquire();
    firstLock.release();
    FencingToken t2 = secondLock.acquire();
    assertTrue(t2.isNewerThan(t1), t1 + " then " + t2);
    secondLock.release();
    FencingToken t3 = firstLock.acquire();
    assertTrue(t3.isNewerThan(t2), t2 + " then " + t3);

    CompletableFuture<Optional<FencingToken>> waiter =
        CompletableFuture.supplyAsync(() -> {
          try {
            Optional<FencingToken> token = secondLock.tryAcquire(Duration.ofSeconds(20));
            if (token.isPresent()) {
              secondLock.release(); // on the thread that holds it
            }
            return token;
          } catch (InterruptedException e) {
            throw new IllegalStateException(e);
          }
        });
    await().atMost(Duration.ofSeconds(10))
        .until(() -> first.blocking().getChildren("/orders", null).names().size() == 2);
    assertFalse(waiter.isDone(), "the waiter queues behind the holder");

    fixture.expire(first);
    Optional<FencingToken> t4 = waiter.get(20, TimeUnit.SECONDS);
    assertTrue(t4.isPresent(), "the expired holder's node went, so the waiter got the lock");
    assertTrue(t4.get().isNewerThan(t3), t3 + " then " + t4.get());
    await().atMost(Duration.ofSeconds(10)).until(() -> firstStates.contains(ConnectionState.LOST));
    await().atMost(Duration.ofSeconds(10)).until(() -> first.connectionState() == ConnectionState.RECONNECTED);
    assertFalse(firstLock.isHeldByCurrentThread(), "the expired client no longer believes it holds the lock");
  }

  @Test
  void expiryRevokesTheLeaseAndDeletesTheSessionsEphemeralsAtOnce() throws InterruptedException {
    CohortFixture fixture = cohort.fixture();
    Cohort observer = cohort.client();
    Session owner = fixture.openSession(Duration.ofSeconds(10));
    owner.create("/eph", new byte[0], CreateMode.EPHEMERAL).join();

    fixture.expire(owner);
    assertEquals(SessionState.EXPIRED, owner.state(), "expire returns once the client saw EXPIRED");
    assertNull(observer.blocking().exists("/eph", null), "etcd deleted the revoked lease's key");
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
    assertNotNull(observer.blocking().exists("/held", null), "etcd keeps a cut-off session's lease until its TTL");
    assertTrue(observer.connectionState().isConnected(), "only the cut session is cut off");
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
  void faultsARealEtcdCannotProduceAreRefused() throws InterruptedException {
    CohortFixture fixture = cohort.fixture();
    Cohort client = cohort.client();
    assertEquals(java.util.EnumSet.of(Fault.EXPIRE, Fault.CRASH, Fault.DISCONNECT), fixture.faults());
    assertEquals(Fault.LOSE_REPLY,
        assertThrows(UnsupportedFaultException.class, () -> fixture.loseNextReply(client)).fault());
    assertEquals(Fault.VIRTUAL_TIME,
        assertThrows(UnsupportedFaultException.class, () -> fixture.advanceTime(Duration.ofSeconds(1))).fault());
    assertEquals(Fault.REPLICAS,
        assertThrows(UnsupportedFaultException.class, () -> fixture.crashReplica(1)).fault());
    client.blocking().create("/after-refusals", new byte[0], CreateMode.PERSISTENT);
    assertNotNull(client.blocking().exists("/after-refusals", null), "the refused faults left the session working");
  }

  @Test
  void fixturesShareOneServerButNeverSeeEachOthersNodesAndCloseDeletesTheirKeys() throws Exception {
    CohortFixture first = cohort.fixture();
    cohort.client().blocking().create("/mine", new byte[0], CreateMode.PERSISTENT);
    EtcdBackend firstBackend = (EtcdBackend) first.backend();
    String prefix;
    try (CohortFixture second = CohortFixture.etcd()) {
      EtcdBackend secondBackend = (EtcdBackend) second.backend();
      assertEquals(firstBackend.endpoints(), secondBackend.endpoints(), "one server per JVM");
      assertFalse(firstBackend.namespace().equals(secondBackend.namespace()), "a key prefix per fixture");
      prefix = secondBackend.namespace() + "/";
      Cohort other = second.newClient();
      assertNull(other.blocking().exists("/mine", null), "the first fixture's node is not in the second's tree");
      other.blocking().create("/theirs", new byte[0], CreateMode.PERSISTENT);
      other.blocking().create("/theirs/deep", new byte[0], CreateMode.EPHEMERAL);
      assertTrue(keysUnder(firstBackend, prefix) > 0, "the second fixture wrote under its prefix");
    }
    assertEquals(0, keysUnder(firstBackend, prefix), "closing the second fixture deleted its keys");
    assertTrue(keysUnder(firstBackend, firstBackend.namespace() + "/") > 0, "and left the first fixture's");
    assertNotNull(cohort.client().blocking().exists("/mine", null));
  }

  private static long keysUnder(EtcdBackend backend, String prefix) throws Exception {
    try (Client client = Client.builder().endpoints(backend.endpoints().toArray(java.net.URI[]::new)).build()) {
      return client.getKVClient().get(ByteSequence.from(prefix, StandardCharsets.UTF_8),
          GetOption.builder().isPrefix(true).withCountOnly(true).build()).get(20, TimeUnit.SECONDS).getCount();
    }
  }

  @Test
  void missingEtcdBackendGivesTheFixturesOwnMessageNamingTheArtifact() {
    ClassLoader withoutBackend = new ClassLoader(getClass().getClassLoader()) {
      @Override
      protected Class<?> loadClass(String name, boolean resolve) throws ClassNotFoundException {
        if (name.startsWith("dev.cohort.etcd.")) {
          throw new ClassNotFoundException(name);
        }
        return super.loadClass(name, resolve);
      }

      @Override
      public java.net.URL getResource(String name) {
        return name.startsWith("dev/cohort/etcd/") ? null : super.getResource(name);
      }
    };
    IllegalStateException e = assertThrows(IllegalStateException.class,
        () -> Engines.requireRuntime(BackendKind.ETCD, withoutBackend));
    assertTrue(e.getMessage().contains("add the test dependency dev.cohort:backend-etcd (next to dev.cohort:testing)"),
        e.getMessage());
    assertTrue(Engines.unavailable(BackendKind.ETCD, withoutBackend).isPresent(),
        "@EveryBackendTest skips the etcd run when the backend is not on the class path");
    assertTrue(Engines.unavailable(BackendKind.ETCD, getClass().getClassLoader()).isEmpty());
  }

  @Test
  void etcdThatExitsWhileStartingFailsAtOnceWithTheEndOfItsLog(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir)
      throws Exception {
    java.nio.file.Path fake = dir.resolve("etcd");
    java.nio.file.Files.writeString(fake, "#!/bin/sh\necho 'fake etcd: no such flag' >&2\nexit 3\n");
    assertTrue(fake.toFile().setExecutable(true));
    IllegalStateException e = assertThrows(IllegalStateException.class, () -> EtcdServer.start(fake.toString()));
    assertTrue(e.getMessage().contains("exited with status 3"), e.getMessage());
    assertTrue(e.getMessage().contains("fake etcd: no such flag"), e.getMessage());
  }

  @Test
  void missingEtcdBinaryFailsSayingHowToInstallIt() {
    IllegalStateException e = assertThrows(IllegalStateException.class,
        () -> EtcdServer.find(List.of("/nonexistent/etcd", "")));
    assertTrue(e.getMessage().contains("apt-get install -y etcd-server"), e.getMessage());
    assertTrue(e.getMessage().contains("/nonexistent/etcd"), "it says where it looked: " + e.getMessage());
  }
}
