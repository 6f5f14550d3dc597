package dev.cohort.recipes.barrier;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cohort.recipes.Cohort;
import dev.cohort.recipes.RecipeSuiteSupport;
import dev.cohort.recipes.SteppedClock;
import dev.cohort.spi.InvalidPathException;
import dev.cohort.spi.NoNodeException;
import dev.cohort.tck.FaultControl;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalLong;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/** {@link CountDownLatch}'s guarantees, on any backend. */
public abstract class CountDownLatchSuite extends RecipeSuiteSupport {

  private static final String PATH = "/latches/start";

  @Test
  void awaitReturnsOnlyOnceTheCountReachesZero() throws Exception {
    CountDownLatch starter = CountDownLatch.create(newClient(), PATH, 3);
    CountDownLatch waiter = CountDownLatch.create(newClient(), PATH, 3);
    CompletableFuture<Void> waiting = inThread(() -> {
      waiter.await();
      return null;
    });
    await().until(() -> waiter.waiters() == 1);

    starter.countDown();
    starter.countDown();
    assertEquals(1, waiter.getCount());
    assertFalse(waiting.isDone(), "one count is left");
    starter.countDown();

    waiting.get(10, TimeUnit.SECONDS);
    assertEquals(0, waiter.getCount());
    assertTrue(waiter.await(Duration.ZERO), "an open latch stays open");
  }

  @Test
  void countingDownPastZeroChangesNothing() throws Exception {
    CountDownLatch latch = CountDownLatch.create(newClient(), PATH, 1);
    latch.countDown();
    latch.countDown();
    latch.countDown();

    assertEquals(0, latch.getCount());
    assertEquals(1, latch.initialCount());
    assertTrue(latch.await(Duration.ZERO));
  }

  @Test
  void aLatchCreatedWithZeroIsOpenAtOnce() throws Exception {
    CountDownLatch latch = CountDownLatch.create(newClient(), PATH, 0);

    assertTrue(latch.await(Duration.ZERO));
    assertEquals(0, latch.getCount());
  }

  @Test
  void everyConcurrentCountDownCountsExactlyOnce() throws Exception {
    int initial = 30;
    List<CompletableFuture<Void>> work = new ArrayList<>();
    for (int c = 0; c < 4; c++) {
      CountDownLatch latch = CountDownLatch.create(newClient(), PATH, initial);
      for (int t = 0; t < 2; t++) {
        work.add(inThread(() -> {
          for (int i = 0; i < 3; i++) {
            latch.countDown();
          }
          return null;
        }));
      }
    }
    CompletableFuture.allOf(work.toArray(CompletableFuture[]::new)).get(60, TimeUnit.SECONDS);

    assertEquals(initial - 24, CountDownLatch.join(newClient(), PATH).getCount());
  }

  @Test
  void creatingAnExistingLatchWithAnotherCountIsRefusedAndChangesNothing() throws Exception {
    CountDownLatch first = CountDownLatch.create(newClient(), PATH, 3);
    first.countDown();
    Cohort other = newClient();

    LatchCountMismatchException e = assertThrows(LatchCountMismatchException.class,
        () -> CountDownLatch.create(other, PATH, 5));

    assertTrue(e.getMessage().contains("3") && e.getMessage().contains("5"), e.getMessage());
    assertEquals(2, first.getCount());
    CountDownLatch same = CountDownLatch.create(other, PATH, 3);
    assertEquals(2, same.getCount(), "the same count joins the existing latch");
  }

  @Test
  void joiningALatchThatDoesNotExistFailsAndCreatesNothing() throws Exception {
    Cohort client = newClient();
    assertThrows(NoNodeException.class, () -> CountDownLatch.join(client, PATH));
    assertFalse(exists(PATH));
  }

  @Test
  void badArgumentsAndUnusableClientsAreRefusedAtOnce() throws Exception {
    Cohort client = newClient();
    assertThrows(IllegalArgumentException.class, () -> CountDownLatch.create(client, PATH, -1));
    assertThrows(InvalidPathException.class, () -> CountDownLatch.create(client, "no-slash", 1));
    assertFalse(exists(PATH));
    Cohort notStarted = Cohort.builder(fixture.backend()).build();
    assertThrows(IllegalStateException.class, () -> CountDownLatch.create(notStarted, PATH, 1));
    notStarted.close();
    CountDownLatch latch = CountDownLatch.create(client, PATH, 2);
    client.close();
    assertThrows(IllegalStateException.class, latch::countDown);
    assertThrows(IllegalStateException.class, () -> latch.await(Duration.ofSeconds(1)));
    assertEquals(2, CountDownLatch.join(newClient(), PATH).getCount());
  }

  @Test
  void waitersAreWokenOnceWhenTheLatchOpensAndNotByEarlierCountDowns() throws Exception {
    OptionalLong probe = watchEventsDelivered();
    Assumptions.assumeTrue(probe.isPresent(), "the backend does not count watch events");
    CountDownLatch starter = CountDownLatch.create(newClient(), PATH, 4);
    List<CompletableFuture<Boolean>> waiting = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      CountDownLatch waiter = CountDownLatch.create(newClient(), PATH, 4);
      waiting.add(inThread(() -> waiter.await(Duration.ofSeconds(30))));
      await().until(() -> waiter.waiters() == 1);
    }
    long before = watchEventsDelivered().getAsLong();

    for (int i = 0; i < 3; i++) {
      starter.countDown();
    }
    assertEquals(before, watchEventsDelivered().getAsLong(), "no waiter woke for a count above zero");
    starter.countDown();

    for (CompletableFuture<Boolean> w : waiting) {
      assertTrue(w.get(10, TimeUnit.SECONDS));
    }
    assertEquals(before + 3, watchEventsDelivered().getAsLong(), "one event per waiter");
  }

  @Test
  void aTimedAwaitFollowsTheClientsClockAndGivesUpCleanly() throws Exception {
    SteppedClock clock = new SteppedClock();
    CountDownLatch latch = CountDownLatch.create(newClient(Cohort.builder(fixture.backend()).timeSource(clock)), PATH, 1);
    CompletableFuture<Boolean> waiting = inThread(() -> latch.await(Duration.ofMinutes(10)));
    await().until(() -> latch.waiters() == 1);

    clock.step(Duration.ofMinutes(9));
    assertFalse(waiting.isDone(), "a minute is left on the client's clock");
    clock.step(Duration.ofMinutes(2));

    assertFalse(waiting.get(10, TimeUnit.SECONDS));
    assertEquals(0, latch.waiters());
    assertEquals(1, latch.getCount());
  }

  @Test
  void anInterruptedWaiterStopsWaiting() throws Exception {
    CountDownLatch latch = CountDownLatch.create(newClient(), PATH, 1);
    CompletableFuture<Thread> waiterThread = new CompletableFuture<>();
    CompletableFuture<Void> waiting = inThread(() -> {
      waiterThread.complete(Thread.currentThread());
      latch.await();
      return null;
    });
    await().until(() -> latch.waiters() == 1);

    waiterThread.get().interrupt();

    ExecutionException e = assertThrows(ExecutionException.class, () -> waiting.get(10, TimeUnit.SECONDS));
    assertTrue(e.getCause() instanceof InterruptedException, e.getCause().toString());
    assertEquals(0, latch.waiters());
  }

  // ---- faults --------------------------------------------------------------------------------

  @Test
  void aCountDownWhoseReplyIsLostCountsOnce() throws Exception {
    requireFaults(FaultControl.LOSE_REPLY);
    Cohort client = newClient();
    CountDownLatch latch = CountDownLatch.create(client, PATH, 3);
    assertEquals(3, latch.getCount()); // the latch knows the node's state: its next request is the write

    fixture.loseNextReply(client.session());
    latch.countDown();

    assertEquals(2, CountDownLatch.join(newClient(), PATH).getCount());
  }

  @Test
  void theCountDownThatOpensTheLatchCountsOnceWhenItsReplyIsLost() throws Exception {
    requireFaults(FaultControl.LOSE_REPLY);
    Cohort client = newClient();
    CountDownLatch latch = CountDownLatch.create(client, PATH, 2);
    CountDownLatch.create(newClient(), PATH, 2).countDown();
    assertEquals(1, latch.getCount()); // the latch knows the node's state: its next request is the write

    fixture.loseNextReply(client.session());
    latch.countDown();

    assertEquals(0, latch.getCount());
    assertTrue(CountDownLatch.join(newClient(), PATH).await(Duration.ofSeconds(10)));
  }

  @Test
  void countsOutliveTheSessionThatMadeThem() throws Exception {
    requireFaults(FaultControl.EXPIRE);
    Cohort client = newClient();
    CountDownLatch latch = CountDownLatch.create(client, PATH, 3);
    latch.countDown();
    long expired = client.sessionId();

    fixture.expire(client.session());

    CountDownLatch observer = CountDownLatch.join(newClient(), PATH);
    assertEquals(2, observer.getCount(), "expiry undoes no count");
    await().atMost(Duration.ofSeconds(30)).until(() -> client.sessionId() != expired);
    latch.countDown();
    assertEquals(1, observer.getCount());
  }

  @Test
  void aWaiterCutOffWhileTheLatchOpensReturnsAfterItReconnects() throws Exception {
    requireFaults(FaultControl.DISCONNECT);
    Cohort waiterClient = newClient();
    CountDownLatch waiter = CountDownLatch.create(waiterClient, PATH, 1);
    CompletableFuture<Boolean> waiting = inThread(() -> waiter.await(Duration.ofSeconds(60)));
    await().until(() -> waiter.waiters() == 1);

    fixture.disconnect(waiterClient.session());
    CountDownLatch.join(newClient(), PATH).countDown();
    fixture.reconnect(waiterClient.session());

    assertTrue(waiting.get(30, TimeUnit.SECONDS));
  }

  @Test
  void aWaiterWhoseSessionExpiresStillReturnsWhenTheLatchOpens() throws Exception {
    requireFaults(FaultControl.EXPIRE);
    Cohort waiterClient = newClient();
    CountDownLatch waiter = CountDownLatch.create(waiterClient, PATH, 1);
    CompletableFuture<Boolean> waiting = inThread(() -> waiter.await(Duration.ofMinutes(5)));
    await().until(() -> waiter.waiters() == 1);
    long expired = waiterClient.sessionId();

    fixture.expire(waiterClient.session());
    await().atMost(Duration.ofSeconds(30)).until(() -> waiterClient.sessionId() != expired
        && waiterClient.connectionState().isConnected());
    CountDownLatch.join(newClient(), PATH).countDown();

    assertTrue(waiting.get(30, TimeUnit.SECONDS), "the watch went with the old session; the wait did not");
  }

  @Test
  void anUncontendedCountDownIsOneRequestAndAWaitIsTwo() throws Exception {
    List<String> sent = new java.util.concurrent.CopyOnWriteArrayList<>();
    dev.cohort.recipes.CohortEvents log = new dev.cohort.recipes.CohortEvents() {
      @Override
      public Object operationStarted(String operation) {
        sent.add(operation);
        return null;
      }
    };
    Cohort client = newClient(Cohort.builder(fixture.backend()).events(log));
    CountDownLatch latch = CountDownLatch.create(client, PATH, 3);
    sent.clear();

    latch.countDown();
    latch.countDown();
    assertEquals(List.of("setData", "setData"), sent);
    sent.clear();
    assertFalse(latch.await(Duration.ZERO));
    assertEquals(List.of("getData"), sent, "a wait with no time left only looks");
    sent.clear();
    latch.countDown();
    assertEquals(List.of("multi"), sent, "the last count-down opens the latch in the same request");
  }
}
