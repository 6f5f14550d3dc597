package dev.cohort.recipes.rendezvous;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cohort.inmemory.InMemoryBackend;
import dev.cohort.inmemory.InMemoryFixture;
import dev.cohort.inmemory.ManualTimeSource;
import dev.cohort.recipes.Cohort;
import dev.cohort.tck.BackendFixture;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** The rendezvous suite on the in-memory backend, plus its timeout on virtual time. */
class InMemoryRendezvousTest extends RendezvousSuite {
  @Override
  protected BackendFixture newFixture() {
    return new InMemoryFixture();
  }

  @Test
  void awaitGivesUpWhenTheClientsVirtualClockPassesItsTimeout() throws Exception {
    ManualTimeSource clock = new ManualTimeSource();
    try (InMemoryBackend backend = InMemoryBackend.builder().timeSource(clock).build();
        Cohort client = Cohort.builder(backend).timeSource(clock).build()) {
      client.start();
      try (Rendezvous worker = Rendezvous.join(client, "/v/master", null)) {
        CompletableFuture<Optional<byte[]>> data = new CompletableFuture<>();
        Thread t = new Thread(() -> {
          try {
            data.complete(worker.await(Duration.ofMinutes(10)));
          } catch (Throwable e) {
            data.completeExceptionally(e);
          }
        });
        t.setDaemon(true);
        t.start();
        // Only the wait for the data is timed: once the thread waits timed, its deadline is set.
        await().until(() -> t.getState() == Thread.State.TIMED_WAITING);
        clock.advance(Duration.ofMinutes(10).minusMillis(1));
        assertFalse(data.isDone(), "the timeout has not passed");
        clock.advance(Duration.ofMillis(1));
        assertTrue(data.get(10, TimeUnit.SECONDS).isEmpty(), "nothing published within ten virtual minutes");
      }
    }
  }
}
