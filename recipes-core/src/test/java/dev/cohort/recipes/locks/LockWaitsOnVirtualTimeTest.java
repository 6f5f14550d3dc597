package dev.cohort.recipes.locks;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import dev.cohort.inmemory.InMemoryFixture;
import dev.cohort.recipes.Cohort;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Lock waits follow the client's clock: on a virtual clock, a timeout passes when the test moves
 * the clock past it, and not before, however long the wait is in real time.
 */
class LockWaitsOnVirtualTimeTest {

  private final InMemoryFixture fixture = new InMemoryFixture();
  private final List<Cohort> clients = new ArrayList<>();

  @AfterEach
  void close() {
    clients.forEach(Cohort::close);
    fixture.close();
  }

  private Cohort client() throws InterruptedException {
    Cohort client = Cohort.builder(fixture.backend()).timeSource(fixture.time()).build();
    client.start();
    clients.add(client);
    return client;
  }

  @Test
  void aTryAcquireTimesOutWhenTheVirtualClockPassesItsTimeout() throws Exception {
    DistributedLock holder = new DistributedLock(client(), "/l");
    DistributedLock waiter = new DistributedLock(client(), "/l");
    holder.acquire();
    CompletableFuture<Optional<?>> waiting = CompletableFuture.supplyAsync(() -> {
      try {
        return waiter.tryAcquire(Duration.ofMinutes(10));
      } catch (InterruptedException e) {
        throw new IllegalStateException(e);
      }
    });
    await().until(() -> waiter.parkedWaiters() == 1);
    fixture.advanceTime(Duration.ofMinutes(9));
    assertFalse(waiting.isDone(), "a minute is left on the virtual clock");

    fixture.advanceTime(Duration.ofMinutes(2));

    assertEquals(Optional.empty(), waiting.get(10, TimeUnit.SECONDS));
    await().until(() -> fixture.registeredWatches() == 0); // the waiter took its watch with it
  }

  @Test
  void aSemaphoreTryAcquireTimesOutWhenTheVirtualClockPassesItsTimeout() throws Exception {
    Semaphore holder = new Semaphore(client(), "/s", 1);
    Semaphore waiter = new Semaphore(client(), "/s", 1);
    holder.acquire();
    CompletableFuture<Optional<Lease>> waiting = CompletableFuture.supplyAsync(() -> {
      try {
        return waiter.tryAcquire(Duration.ofMinutes(10));
      } catch (InterruptedException e) {
        throw new IllegalStateException(e);
      }
    });
    await().until(() -> waiter.parkedWaiters() == 1);

    fixture.advanceTime(Duration.ofMinutes(11));

    assertEquals(Optional.empty(), waiting.get(10, TimeUnit.SECONDS));
    await().until(() -> fixture.registeredWatches() == 0);
  }

  @Test
  void anAsyncAcquireTimesOutWhenTheVirtualClockPassesItsTimeoutAndNotBefore() throws Exception {
    DistributedLock holder = new DistributedLock(client(), "/l");
    DistributedLock waiter = new DistributedLock(client(), "/l");
    Semaphore leaseHolder = new Semaphore(client(), "/s", 1);
    Semaphore leaseWaiter = new Semaphore(client(), "/s", 1);
    holder.acquire();
    leaseHolder.acquire();
    CompletableFuture<LockHold> lock = waiter.acquireAsync(Duration.ofMinutes(10));
    CompletableFuture<Lease> lease = leaseWaiter.acquireAsync(Duration.ofMinutes(10));
    await().until(() -> waiter.parkedWaiters() == 1 && leaseWaiter.parkedWaiters() == 1);
    fixture.advanceTime(Duration.ofMinutes(9));
    assertFalse(lock.isDone() || lease.isDone(), "a minute is left on the virtual clock");

    fixture.advanceTime(Duration.ofMinutes(2));

    for (CompletableFuture<?> f : List.of(lock, lease)) {
      java.util.concurrent.ExecutionException e = org.junit.jupiter.api.Assertions.assertThrows(
          java.util.concurrent.ExecutionException.class, () -> f.get(10, TimeUnit.SECONDS));
      org.junit.jupiter.api.Assertions.assertTrue(e.getCause() instanceof java.util.concurrent.TimeoutException,
          e.getCause().toString());
    }
    await().until(() -> fixture.registeredWatches() == 0); // both waiters took their watches with them
  }
}
