package dev.cohort.testing;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cohort.recipes.Cohort;
import dev.cohort.recipes.ConnectionState;
import dev.cohort.recipes.Deadline;
import dev.cohort.recipes.FencingToken;
import dev.cohort.recipes.locks.DistributedLock;
import dev.cohort.spi.ConnectionLossException;
import dev.cohort.spi.CreateMode;
import dev.cohort.spi.Session;
import dev.cohort.spi.SessionState;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The in-memory fixture through {@link CohortExtension}: clients, session faults, virtual time. */
class InMemoryFixtureTest {

  @RegisterExtension
  final CohortExtension cohort = CohortExtension.inMemory();

  @Test
  void clientIsConnectedAndWorksAsSoonAsTheTestStarts() throws InterruptedException {
    Cohort client = cohort.client();
    assertEquals(ConnectionState.CONNECTED, client.connectionState());
    client.blocking().create("/ready", new byte[] {1}, CreateMode.PERSISTENT);
    assertNotNull(cohort.newClient().blocking().exists("/ready", null), "a second client sees the first one's write");
    assertEquals(BackendKind.IN_MEMORY, cohort.fixture().kind());
    assertTrue(cohort.fixture().zookeeperConnectString().isEmpty(), "no server, no address");
  }

  @Test
  void disconnectedSessionExpiresOnlyOnceVirtualTimePassesItsTimeout() {
    CohortFixture fixture = cohort.fixture();
    Session owner = fixture.openSession(Duration.ofSeconds(30));
    Session observer = fixture.openSession();
    owner.create("/eph", new byte[0], CreateMode.EPHEMERAL).join();

    fixture.disconnect(owner);
    assertEquals(SessionState.SUSPENDED, owner.state());
    fixture.advanceTime(Duration.ofSeconds(29));
    assertNotNull(observer.exists("/eph").join(), "29 s into a 30 s timeout the session still lives");

    fixture.advanceTime(Duration.ofSeconds(2));
    assertNull(observer.exists("/eph").join(), "past its timeout the session's ephemeral is gone");
    fixture.reconnect(owner);
    assertEquals(SessionState.EXPIRED, owner.state());
  }

  @Test
  void expiredLockHolderLosesTheLockAndTheNextOwnerGetsALargerToken() throws InterruptedException {
    OwnershipHistory history = cohort.check(new OwnershipHistory("lock /orders"));
    Cohort first = cohort.client();
    Cohort second = cohort.newClient();
    DistributedLock firstLock = new DistributedLock(first, "/orders");
    DistributedLock secondLock = new DistributedLock(second, "/orders");

    FencingToken t1 = firstLock.acquire();
    history.acquired("/orders", "first", t1.value());
    history.released("/orders", "first", t1.value()); // recorded as the fixture expires it
    cohort.fixture().expire(first);
    Optional<FencingToken> t2 = secondLock.tryAcquire(Duration.ofSeconds(10));

    assertTrue(t2.isPresent(), "the expired holder's node went, so the waiter got the lock");
    history.acquired("/orders", "second", t2.get().value());
    assertTrue(t2.get().isNewerThan(t1));
    await().atMost(Duration.ofSeconds(10)).until(() -> first.connectionState() == ConnectionState.RECONNECTED);
    assertFalse(firstLock.isHeldByCurrentThread(), "the expired client no longer believes it holds the lock");
  }

  @Test
  void lostReplyAppliesTheWriteButTheCallerSeesConnectionLoss() {
    CohortFixture fixture = cohort.fixture();
    Session session = fixture.openSession();
    fixture.loseNextReply(session);
    CompletionException e = assertThrows(CompletionException.class,
        () -> session.create("/maybe", new byte[0], CreateMode.PERSISTENT).join());
    assertInstanceOf(ConnectionLossException.class, e.getCause());
    await().atMost(Duration.ofSeconds(10)).until(() -> session.state().isConnected());
    assertNotNull(session.exists("/maybe").join(), "the service applied the create whose reply was lost");
  }

  @Test
  void replicaFaultsAreRefusedWithATypedErrorAndTheBackendCarriesOn() throws InterruptedException {
    CohortFixture fixture = cohort.fixture();
    UnsupportedFaultException e = assertThrows(UnsupportedFaultException.class, () -> fixture.crashReplica(1));
    assertEquals(Fault.REPLICAS, e.fault());
    assertEquals(BackendKind.IN_MEMORY, e.backend());
    assertTrue(e.getMessage().contains("IN_MEMORY"), e.getMessage());
    assertFalse(fixture.supports(Fault.REPLICAS));
    cohort.client().blocking().create("/still-works", new byte[0], CreateMode.PERSISTENT);
    assertNotNull(cohort.client().blocking().exists("/still-works", null));
  }

  @Test
  void negativeTimeIsRefusedAndTheClockDoesNotMove() {
    CohortFixture fixture = cohort.fixture();
    Session owner = fixture.openSession(Duration.ofSeconds(30));
    Session observer = fixture.openSession();
    owner.create("/eph", new byte[0], CreateMode.EPHEMERAL).join();
    fixture.disconnect(owner);
    fixture.advanceTime(Duration.ofSeconds(20));

    assertThrows(IllegalArgumentException.class, () -> fixture.advanceTime(Duration.ofSeconds(-15)));
    fixture.advanceTime(Duration.ofSeconds(11));
    assertNull(observer.exists("/eph").join(),
        "20 s + 11 s passed the 30 s timeout: the refused call did not move the clock back");
  }

  @Test
  void herdCountIsAvailableOnTheInMemoryBackend() {
    CohortFixture fixture = cohort.fixture();
    Session watcher = fixture.openSession();
    Session writer = fixture.openSession();
    long before = fixture.watchEventsDelivered().orElseThrow();
    watcher.exists("/w", event -> { }).join();
    writer.create("/w", new byte[0], CreateMode.PERSISTENT).join();
    await().atMost(Duration.ofSeconds(5)).until(() -> fixture.watchEventsDelivered().orElseThrow() == before + 1);
  }

  @Test
  void closedFixtureRefusesNewClients() {
    CohortFixture fixture = CohortFixture.inMemory();
    Cohort client = fixture.newClient();
    fixture.close();
    assertTrue(client.isClosed(), "closing the fixture closes its clients");
    assertThrows(IllegalStateException.class, fixture::newClient);
    fixture.close(); // idempotent
  }

  @Test
  void badReplicaCountsAreRefused() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> CohortFixture.replicated(4));
    assertTrue(e.getMessage().contains("1, 3, 5 or 7"), e.getMessage());
    assertThrows(IllegalArgumentException.class, () -> CohortExtension.replicated(0));
  }

  @Test
  void crashedClientKeepsItsSessionUntilTheTimeoutAndOpensNoOtherUntilRestarted() throws InterruptedException {
    CohortFixture fixture = cohort.fixture();
    Cohort observer = cohort.client();
    Cohort worker = fixture.newClient(b -> b.sessionTimeout(Duration.ofSeconds(10)));
    worker.blocking().create("/worker", new byte[0], CreateMode.EPHEMERAL);
    long crashedSession = worker.sessionId();

    fixture.crash(worker);
    assertTrue(fixture.isCrashed(worker));
    assertFalse(worker.connectionState().isConnected(), "a crashed client is cut off at once");
    fixture.advanceTime(Duration.ofSeconds(9));
    assertNotNull(observer.blocking().exists("/worker", null), "the service keeps a dead process's session until its timeout");
    fixture.advanceTime(Duration.ofSeconds(2));
    assertNull(observer.blocking().exists("/worker", null), "past its timeout the crashed client's ephemeral is gone");

    // It opens no new session: its backend refuses it, and nothing brings the old one back.
    CompletionException refused = assertThrows(CompletionException.class,
        () -> worker.backend().openSession(dev.cohort.spi.SessionConfig.defaults()).join());
    assertInstanceOf(ConnectionLossException.class, refused.getCause());
    assertThrows(IllegalStateException.class, () -> fixture.reconnect(worker.session()));
    assertEquals(crashedSession, worker.sessionId(), "the crashed client still has only its old session");
    assertFalse(worker.connectionState().isConnected());

    Cohort restarted = fixture.restart(worker);
    assertNotEquals(crashedSession, restarted.sessionId(), "a restart is a new process with a new session");
    restarted.blocking().create("/worker", new byte[0], CreateMode.EPHEMERAL);
    assertEquals(restarted.sessionId(), observer.blocking().exists("/worker", null).ephemeralOwner());
    assertEquals(Duration.ofSeconds(10), restarted.session().sessionTimeout(), "configured as the crashed one was");
    assertEquals(crashedSession, worker.sessionId(), "the crashed client stays dead after the restart");
  }

  @Test
  void crashAndRestartMisuseIsRefusedAndChangesNothing() throws InterruptedException {
    CohortFixture fixture = cohort.fixture();
    Cohort client = cohort.client();
    assertThrows(IllegalStateException.class, () -> fixture.restart(client), "only a crashed client restarts");
    try (Cohort own = Cohort.builder(fixture.backend()).build()) {
      own.start();
      assertThrows(IllegalArgumentException.class, () -> fixture.crash(own), "a client built by hand cannot crash");
      assertTrue(own.connectionState().isConnected());
    }
    fixture.crash(client);
    assertThrows(IllegalStateException.class, () -> fixture.crash(client));
    Cohort again = fixture.restart(client);
    assertThrows(IllegalStateException.class, () -> fixture.restart(client), "one restart per crash");
    again.blocking().create("/fine", new byte[0], CreateMode.PERSISTENT);
    assertNotNull(again.blocking().exists("/fine", null));
  }

  @Test
  void clientsMeasureTimeOnTheFixturesVirtualClock() throws Exception {
    CohortFixture fixture = cohort.fixture();
    Cohort client = cohort.client();
    long before = client.timeSource().nanoTime();
    fixture.advanceTime(Duration.ofSeconds(30));
    assertEquals(Duration.ofSeconds(30).toNanos(), client.timeSource().nanoTime() - before,
        "the client's clock is the one advanceTime moves");

    // A recipe-style wait of 30 s gives up once the test moves the clock 30 s, not 30 s of real time later.
    Deadline deadline = Deadline.after(client, Duration.ofSeconds(30));
    CompletableFuture<Boolean> waited = CompletableFuture.supplyAsync(() -> {
      try {
        return deadline.await(new CompletableFuture<Void>()); // a signal that never comes
      } catch (InterruptedException e) {
        throw new IllegalStateException(e);
      }
    });
    fixture.advanceTime(Duration.ofSeconds(30));
    assertEquals(false, waited.get(10, TimeUnit.SECONDS), "the deadline passed on virtual time");
  }

  /**
   * Needs DistributedLock.tryAcquire to wait on {@link Deadline} (the lock helper's change): before
   * it, the wait parks for 30 s of real time whatever the virtual clock says.
   */
  @Test
  void lockTimeoutPassesWhenTheTestAdvancesVirtualTime() throws Exception {
    CohortFixture fixture = cohort.fixture();
    DistributedLock held = new DistributedLock(cohort.client(), "/contended");
    DistributedLock waiting = new DistributedLock(fixture.newClient(), "/contended");
    FencingToken token = held.acquire();

    CompletableFuture<Optional<FencingToken>> attempt = CompletableFuture.supplyAsync(() -> {
      try {
        return waiting.tryAcquire(Duration.ofSeconds(30));
      } catch (InterruptedException e) {
        throw new IllegalStateException(e);
      }
    });
    // Advance only once the waiter is queued behind the holder, so that the 30 s count from its start.
    await().atMost(Duration.ofSeconds(10))
        .until(() -> cohort.client().blocking().getChildren("/contended", null).names().size() == 2);
    fixture.advanceTime(Duration.ofSeconds(30));
    assertEquals(Optional.empty(), attempt.get(10, TimeUnit.SECONDS), "tryAcquire gave up on virtual time");
    assertTrue(held.isHeldByCurrentThread(), "the holder kept the lock: " + token);
  }

  @Test
  void crashedLockHolderKeepsTheLockUntilItsSessionTimesOutThenTheWaiterGetsIt() throws Exception {
    CohortFixture fixture = cohort.fixture();
    Cohort holderClient = fixture.newClient(b -> b.sessionTimeout(Duration.ofSeconds(10)));
    DistributedLock holder = new DistributedLock(holderClient, "/orders");
    DistributedLock waiter = new DistributedLock(cohort.client(), "/orders");
    FencingToken first = holder.acquire();
    CompletableFuture<FencingToken> next = CompletableFuture.supplyAsync(() -> {
      try {
        return waiter.acquire();
      } catch (InterruptedException e) {
        throw new IllegalStateException(e);
      }
    });
    await().atMost(Duration.ofSeconds(10))
        .until(() -> cohort.client().blocking().getChildren("/orders", null).names().size() == 2);

    fixture.crash(holderClient);                     // the holder's process dies holding the lock
    fixture.advanceTime(Duration.ofSeconds(9));
    assertFalse(next.isDone(), "the service still holds the dead holder's session: " + next);
    fixture.advanceTime(Duration.ofSeconds(2));
    FencingToken second = next.get(10, TimeUnit.SECONDS);
    assertTrue(second.isNewerThan(first), "the waiter got the lock once the crashed holder's session expired");
  }
}
