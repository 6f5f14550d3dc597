package dev.cohort.recipes.barrier;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cohort.inmemory.InMemoryBackend;
import dev.cohort.inmemory.InMemoryFixture;
import dev.cohort.inmemory.ManualTimeSource;
import dev.cohort.recipes.Cohort;
import dev.cohort.tck.BackendFixture;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** The barrier suite on the in-memory backend, plus timeouts driven by virtual time. */
class InMemoryBarrierTest extends BarrierSuite {
  @Override
  protected BackendFixture newFixture() {
    return new InMemoryFixture();
  }

  /**
   * Runs {@code wait} on a thread of its own and returns its outcome, once the thread waits timed:
   * the barriers' only timed wait is on their deadline, so by then the deadline is set.
   */
  private static CompletableFuture<Boolean> waitInThread(Waiting wait) {
    CompletableFuture<Boolean> result = new CompletableFuture<>();
    Thread t = new Thread(() -> {
      try {
        result.complete(wait.run());
      } catch (Throwable e) {
        result.completeExceptionally(e);
      }
    });
    t.setDaemon(true);
    t.start();
    await().until(() -> t.getState() == Thread.State.TIMED_WAITING || result.isDone());
    return result;
  }

  @FunctionalInterface
  private interface Waiting {
    boolean run() throws Exception;
  }

  @Test
  void barrierTimeoutsFollowTheClientsVirtualClock() throws Exception {
    ManualTimeSource clock = new ManualTimeSource();
    try (InMemoryBackend backend = InMemoryBackend.builder().timeSource(clock).build();
        Cohort client = Cohort.builder(backend).timeSource(clock).build()) {
      client.start();
      Barrier barrier = Barrier.of(client, "/v/gate");
      barrier.set();
      CompletableFuture<Boolean> removed = waitInThread(() -> barrier.waitUntilRemoved(Duration.ofMinutes(10)));
      DoubleBarrier alone = DoubleBarrier.of(client, "/v/double", "a", 2);
      CompletableFuture<Boolean> entered = waitInThread(() -> alone.enter(Duration.ofMinutes(10)));
      assertTrue(client.blocking().exists("/v/double/a", null) != null, "entered, waiting for the other");

      clock.advance(Duration.ofMinutes(10).minusMillis(1));
      assertFalse(removed.isDone() || entered.isDone(), "neither timeout has passed");
      clock.advance(Duration.ofMillis(1));
      // Ten minutes of virtual time: both give up now, not after ten minutes of real time.
      assertFalse(removed.get(10, TimeUnit.SECONDS), "the barrier is still up");
      assertFalse(entered.get(10, TimeUnit.SECONDS), "the second member never came");
      assertTrue(barrier.isSet());
      await().until(() -> client.blocking().exists("/v/double/a", null) == null);
    }
  }
}
