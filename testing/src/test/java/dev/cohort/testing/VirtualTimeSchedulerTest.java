package dev.cohort.testing;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import dev.cohort.inmemory.ManualTimeSource;
import dev.cohort.recipes.Cohort;
import dev.cohort.spi.CreateMode;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The in-memory fixture's scheduler: a delay passes in real time or on the virtual clock, whichever first. */
class VirtualTimeSchedulerTest {

  @RegisterExtension
  final CohortExtension cohort = CohortExtension.inMemory();

  @Test
  void aShortDelayPassesInRealTimeWhileTheVirtualClockStandsStill() {
    ManualTimeSource clock = new ManualTimeSource();
    try (VirtualTimeScheduler scheduler = new VirtualTimeScheduler(clock)) {
      AtomicInteger runs = new AtomicInteger();
      scheduler.schedule(Duration.ofMillis(2), runs::incrementAndGet);
      await().atMost(Duration.ofSeconds(10)).until(() -> runs.get() == 1);
      assertEquals(0, clock.nanoTime(), "nobody moved the virtual clock");
    }
  }

  @Test
  void aLongDelayPassesAsSoonAsTheVirtualClockReachesIt() {
    ManualTimeSource clock = new ManualTimeSource();
    try (VirtualTimeScheduler scheduler = new VirtualTimeScheduler(clock)) {
      CompletableFuture<Thread> ranOn = new CompletableFuture<>();
      scheduler.schedule(Duration.ofHours(1), () -> ranOn.complete(Thread.currentThread()));
      clock.advance(Duration.ofMinutes(59));
      assertEquals(false, ranOn.isDone(), "59 minutes into an hour");
      clock.advance(Duration.ofMinutes(1));
      Thread thread = ranOn.orTimeout(10, java.util.concurrent.TimeUnit.SECONDS).join();
      assertNotEquals(Thread.currentThread(), thread, "never on the thread that moved the clock");
    }
  }

  @Test
  void aFixtureClientRetriesALostReplyWithoutTheTestAdvancingTime() throws InterruptedException {
    Cohort client = cohort.client();
    client.blocking().create("/retried", new byte[0], CreateMode.PERSISTENT);
    cohort.fixture().loseNextReply(client);
    // The write's reply is lost: the client sends it again after a backoff of milliseconds (measured
    // on the virtual clock, waited out in real time), with no help from the test.
    client.blocking().setData("/retried", new byte[] {7}, -1);
    assertArrayEquals(new byte[] {7}, client.blocking().getData("/retried", null).data());
  }
}
