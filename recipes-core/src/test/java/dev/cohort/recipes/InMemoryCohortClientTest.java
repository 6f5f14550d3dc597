package dev.cohort.recipes;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cohort.inmemory.InMemoryBackend;
import dev.cohort.inmemory.InMemoryFixture;
import dev.cohort.inmemory.ManualTimeSource;
import dev.cohort.spi.CreateMode;
import dev.cohort.spi.NodeData;
import dev.cohort.tck.BackendFixture;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.PriorityQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** The client suite on the in-memory backend, plus tests that need its virtual clock. */
class InMemoryCohortClientTest extends CohortClientSuite {
  @Override
  protected BackendFixture newFixture() {
    return new InMemoryFixture();
  }

  /** Tasks run by hand in due order; running one moves the shared virtual clock to its due time. */
  private static final class VirtualScheduler implements DelayScheduler {
    private record Task(long due, long seq, Runnable body) {}

    private final ManualTimeSource clock;
    private final PriorityQueue<Task> tasks = new PriorityQueue<>(
        (a, b) -> a.due != b.due ? Long.compare(a.due, b.due) : Long.compare(a.seq, b.seq));
    private long seq;

    VirtualScheduler(ManualTimeSource clock) {
      this.clock = clock;
    }

    @Override
    public synchronized void schedule(Duration delay, Runnable task) {
      tasks.add(new Task(clock.nanoTime() + delay.toNanos(), seq++, task));
    }

    synchronized int pending() {
      return tasks.size();
    }

    /** Runs every task due no later than {@code until}; true if none is left before it. */
    boolean runUntil(long until) {
      while (true) {
        Task next;
        synchronized (this) {
          next = tasks.peek();
          if (next == null || next.due > until) {
            return true;
          }
          tasks.poll();
        }
        if (next.due > clock.nanoTime()) {
          clock.advance(Duration.ofNanos(next.due - clock.nanoTime()));
        }
        next.body.run();
      }
    }
  }

  @Test
  void aRetryDueWhileSuspendedWaitsForTheReconnectInsteadOfSpendingTheBudgetOnRefusals() throws Exception {
    ManualTimeSource clock = new ManualTimeSource();
    VirtualScheduler scheduler = new VirtualScheduler(clock);
    // Three retries of at most 20 ms: the whole budget is spent within 60 ms of virtual time.
    RetryPolicy policy = new ExponentialBackoff(Duration.ofMillis(1), Duration.ofMillis(20), 3, Duration.ofSeconds(30));
    try (InMemoryBackend backend = InMemoryBackend.builder().timeSource(clock).build();
        Cohort client = Cohort.builder(backend).timeSource(clock).scheduler(scheduler).retryPolicy(policy)
            .sessionTimeout(Duration.ofSeconds(10)).build()) {
      client.start();
      client.blocking().createWithParents("/r", "v".getBytes(StandardCharsets.UTF_8), CreateMode.PERSISTENT);
      backend.faults().disconnect(client.session());
      await().until(() -> client.connectionState() == ConnectionState.SUSPENDED);

      CompletableFuture<NodeData> read = client.async().getData("/r", null);
      long reconnectAt = clock.nanoTime() + Duration.ofSeconds(1).toNanos();
      // Let a second of virtual time pass, far more than the budget's 60 ms, running every retry due.
      await().until(() -> scheduler.runUntil(reconnectAt) && (read.isDone() || scheduler.pending() == 1));
      clock.advance(Duration.ofNanos(reconnectAt - clock.nanoTime()));
      assertFalse(read.isDone(), "no retry budget spent on refusals while suspended: " + read);

      backend.faults().reconnect(client.session());
      assertEquals("v", new String(read.get(30, TimeUnit.SECONDS).data(), StandardCharsets.UTF_8));
      assertTrue(client.session().state().isConnected());
    }
  }
}
