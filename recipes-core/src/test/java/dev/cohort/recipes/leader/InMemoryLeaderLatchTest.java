package dev.cohort.recipes.leader;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cohort.inmemory.InMemoryFixture;
import dev.cohort.recipes.Cohort;
import dev.cohort.recipes.ConnectionState;
import dev.cohort.tck.BackendFixture;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;

class InMemoryLeaderLatchTest extends LeaderLatchSuite {
  @Override
  protected BackendFixture newFixture() {
    return new InMemoryFixture();
  }

  /**
   * A LOST handled after the latch already queued again on the client's next session is about the
   * old session: the node granted on the new one must stay the latch's. The order is forced by
   * holding the listener thread on the old session's RECONNECTED until the session has expired and
   * the client has opened a new one: the latch then finds its node gone and queues (and is granted)
   * on the new session before it hears the LOST. It used to drop that granted place on the LOST
   * without deleting its node, then queue behind its own orphan, owned by its live session: nobody
   * could lead for the life of that session (seen as "no leader within 20 s" in the random-fault
   * test, about 1 run in 30).
   */
  @Test
  void aLostHeardAfterQueueingOnTheNextSessionKeepsTheNewPlace() throws Exception {
    Cohort client = newClient();
    long firstSession = client.sessionId();
    CountDownLatch gate = new CountDownLatch(1);
    // Registered before the latch's own listener, so it holds the latch's handling of the event too.
    AtomicBoolean firstReconnect = new AtomicBoolean(true);
    client.addConnectionStateListener((c, state) -> {
      if (state == ConnectionState.RECONNECTED && firstReconnect.getAndSet(false)) {
        try {
          gate.await();
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
      }
    });
    LeaderLatch latch = LeaderLatch.builder(client, "/election").id("a").build();
    latch.start();
    assertTrue(latch.await(Duration.ofSeconds(10)));

    fixture.disconnect(client.session());
    fixture.reconnect(client.session()); // its RECONNECTED waits at the gate
    fixture.expire(client.session()); // LOST and the new session's RECONNECTED queue behind it
    await().until(() -> client.sessionId() != firstSession && client.connectionState() == ConnectionState.RECONNECTED);
    gate.countDown();

    assertTrue(latch.await(Duration.ofSeconds(10)), "the latch leads again on its new session");
    await().until(() -> latch.participants().size() == 1);
    assertEquals(List.of("a"), latch.participants().stream().map(Participant::id).toList(),
        "one node in line, the latch's own: nothing left behind on the live session");
  }
}
