package dev.cohort.recipes;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.awaitility.Awaitility.await;

import dev.cohort.inmemory.ManualTimeSource;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class DeadlineTest {
  private final ManualTimeSource clock = new ManualTimeSource();
  private final ExecutorService threads = Executors.newCachedThreadPool();

  @AfterEach
  void stop() {
    threads.shutdownNow();
  }

  @Test
  void aBlockingWaitGivesUpWhenVirtualTimePassesTheDeadline() throws Exception {
    Deadline deadline = Deadline.after(clock, DelayScheduler.immediate(threads), Duration.ofSeconds(30));
    CompletableFuture<Void> never = new CompletableFuture<>();
    Future<Boolean> waited = threads.submit(() -> deadline.await(never));

    clock.advance(Duration.ofSeconds(29));
    assertFalse(waited.isDone());
    clock.advance(Duration.ofSeconds(1));

    await().atMost(Duration.ofSeconds(10)).until(waited::isDone);
    assertFalse(waited.get());
    assertTrue(deadline.hasPassed());
  }

  @Test
  void aBlockingWaitReturnsAsSoonAsItsSignalCompletes() throws Exception {
    Deadline deadline = Deadline.after(clock, DelayScheduler.immediate(threads), Duration.ofHours(1));
    CompletableFuture<Void> signal = new CompletableFuture<>();
    Future<Boolean> waited = threads.submit(() -> deadline.await(signal));

    signal.complete(null);

    await().atMost(Duration.ofSeconds(10)).until(waited::isDone);
    assertTrue(waited.get());
    assertFalse(deadline.hasPassed());
  }

  @Test
  void anExpiryFutureFollowsVirtualTime() {
    Deadline deadline = Deadline.after(clock, DelayScheduler.immediate(threads), Duration.ofSeconds(10));
    CompletableFuture<Void> expiry = deadline.expiry();

    clock.advance(Duration.ofSeconds(9));
    assertFalse(expiry.isDone());
    clock.advance(Duration.ofSeconds(1));

    await().atMost(Duration.ofSeconds(10)).until(expiry::isDone);
    assertFalse(expiry.isCompletedExceptionally());
  }

  @Test
  void aZeroOrNegativeTimeoutHasPassedAndANeverDeadlineDoesNot() throws Exception {
    DelayScheduler scheduler = DelayScheduler.immediate(threads);
    assertFalse(Deadline.after(clock, scheduler, Duration.ZERO).await(new CompletableFuture<>()));
    assertTrue(Deadline.after(clock, scheduler, Duration.ofSeconds(-5)).hasPassed());
    Deadline huge = Deadline.after(clock, scheduler, Duration.ofSeconds(Long.MAX_VALUE));
    assertTrue(huge.isNever());
    assertEquals(Long.MAX_VALUE, huge.remainingNanos());
  }
}
