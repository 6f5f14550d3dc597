package dev.cohort.recipes.locks;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cohort.inmemory.InMemoryFixture;
import dev.cohort.recipes.Cohort;
import dev.cohort.recipes.ConnectionState;
import dev.cohort.recipes.FencingToken;
import dev.cohort.tck.BackendFixture;
import java.util.List;
import java.util.OptionalLong;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import org.junit.jupiter.api.Test;

class InMemoryDistributedLockTest extends DistributedLockSuite {
  @Override
  protected BackendFixture newFixture() {
    return new InMemoryFixture();
  }

  @Override
  protected OptionalLong watchEventsDelivered() {
    return OptionalLong.of(((InMemoryFixture) fixture).watchEventsDelivered());
  }

  /**
   * A LOST heard after the lock was acquired again on the client's next session is about the old
   * session: the new hold must not be reported lost. The order is forced by holding the listener
   * thread on the LOST until the session has expired, the old hold was released and the lock taken
   * on the new session. The tracker used to tell LOST for every node held when it heard the event,
   * the new one too (a LeaderSelector then interrupts a leader whose term is valid).
   */
  @Test
  void aLostHeardAfterAcquiringOnTheNextSessionDoesNotEndThatHold() throws Exception {
    Cohort client = newClient();
    long firstSession = client.sessionId();
    CountDownLatch gate = new CountDownLatch(1);
    // Registered before the lock's tracker (it registers at the first hold), so it holds the
    // tracker's handling of the LOST too.
    client.addConnectionStateListener((c, state) -> {
      if (state == ConnectionState.LOST) {
        try {
          gate.await();
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
      }
    });
    DistributedLock lock = new DistributedLock(client, "/lock");
    List<String> told = new CopyOnWriteArrayList<>();
    lock.acquire();
    lock.addOwnershipListener((change, token) -> told.add(change + " " + token.value()));

    fixture.expire(client.session()); // its LOST waits at the gate
    await().until(() -> client.sessionId() != firstSession && client.connectionState() == ConnectionState.RECONNECTED);
    assertTrue(lock.release(), "the hold that ended with its session releases quietly");
    FencingToken fresh = lock.acquire();
    gate.countDown();

    await().until(() -> told.contains("CONFIRMED " + fresh.value())); // the RECONNECTED after the LOST
    assertFalse(told.contains("LOST " + fresh.value()), "the new hold was reported lost: " + told);
    assertTrue(lock.isHeldByCurrentThread());
    assertTrue(lock.release());
  }
}
