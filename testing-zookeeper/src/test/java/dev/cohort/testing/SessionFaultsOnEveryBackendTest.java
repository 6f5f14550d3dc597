package dev.cohort.testing;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.cohort.recipes.Cohort;
import dev.cohort.recipes.ConnectionState;
import dev.cohort.spi.ConnectionLossException;
import dev.cohort.spi.CreateMode;
import dev.cohort.spi.Session;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * Disconnect and lost reply mean the same on every backend, ZooKeeper included: the client sees
 * what a real network failure shows it.
 */
class SessionFaultsOnEveryBackendTest {

  @EveryBackendTest(requires = Fault.DISCONNECT)
  void disconnectSuspendsTheClientAndReconnectBringsBackTheSameSession(CohortFixture fixture, Cohort client)
      throws InterruptedException {
    List<ConnectionState> seen = new CopyOnWriteArrayList<>();
    client.addConnectionStateListener((c, state) -> seen.add(state));
    client.blocking().create("/mine", new byte[0], CreateMode.EPHEMERAL);
    long session = client.session().id();

    fixture.disconnect(client);
    await().atMost(Duration.ofSeconds(10)).until(() -> client.connectionState() == ConnectionState.SUSPENDED);
    fixture.reconnect(client);
    await().atMost(Duration.ofSeconds(10)).until(() -> client.connectionState() == ConnectionState.RECONNECTED);

    assertEquals(List.of(ConnectionState.SUSPENDED, ConnectionState.RECONNECTED), seen);
    assertEquals(session, client.session().id(), "the session outlived the cut");
    assertEquals(session, client.blocking().exists("/mine", null).ephemeralOwner(), "and so did its ephemeral");
  }

  @EveryBackendTest(requires = Fault.LOSE_REPLY)
  void lostReplyOnACreateLeavesTheNodeCreatedAndTheCallerUnsure(CohortFixture fixture) {
    Session session = fixture.openSession(Duration.ofSeconds(10));
    fixture.loseNextReply(session);
    CompletionException e = assertThrows(CompletionException.class,
        () -> session.create("/maybe", new byte[] {1}, CreateMode.PERSISTENT).join());
    assertInstanceOf(ConnectionLossException.class, e.getCause(), "the outcome is unknown to the caller");
    await().atMost(Duration.ofSeconds(10)).until(() -> session.state().isConnected());
    assertNotNull(session.exists("/maybe").join(), "the service applied the create whose reply was lost");
  }
}
