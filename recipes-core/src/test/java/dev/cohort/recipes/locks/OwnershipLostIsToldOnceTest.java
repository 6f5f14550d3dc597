package dev.cohort.recipes.locks;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.cohort.inmemory.InMemoryFixture;
import dev.cohort.recipes.Cohort;
import dev.cohort.recipes.ConnectionState;
import dev.cohort.recipes.OwnershipListener;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Regression: a hold lost with its session was told LOST twice, once at the LOST and again at the
 * RECONNECTED that followed (the check on reconnect found the hold's session gone and said LOST
 * again). A listener, and a metric counting losses, must hear it once.
 */
class OwnershipLostIsToldOnceTest {

  private final InMemoryFixture fixture = new InMemoryFixture();
  private Cohort client;

  @AfterEach
  void close() {
    if (client != null) {
      client.close();
    }
    fixture.close();
  }

  @Test
  void aHoldLostWithItsSessionIsToldLostOnce() throws Exception {
    client = Cohort.builder(fixture.backend()).timeSource(fixture.time()).build();
    client.start();
    DistributedLock lock = new DistributedLock(client, "/l");
    List<OwnershipListener.Change> told = new CopyOnWriteArrayList<>();
    lock.addOwnershipListener((change, token) -> told.add(change));
    lock.acquire();
    // Registered after the lock's first hold, so it hears each transition after the lock's tracker
    // has (listeners run in order, one at a time, on the listener executor).
    CompletableFuture<Void> reconnectedHandled = new CompletableFuture<>();
    client.addConnectionStateListener((c, state) -> {
      if (state == ConnectionState.RECONNECTED) {
        reconnectedHandled.complete(null);
      }
    });

    fixture.expire(client.session());

    reconnectedHandled.get(10, TimeUnit.SECONDS);
    CompletableFuture<Void> drained = new CompletableFuture<>();
    client.listenerExecutor().execute(() -> drained.complete(null)); // behind anything told meanwhile
    drained.get(10, TimeUnit.SECONDS);
    assertEquals(List.of(OwnershipListener.Change.LOST), told);
    lock.release();
  }
}
