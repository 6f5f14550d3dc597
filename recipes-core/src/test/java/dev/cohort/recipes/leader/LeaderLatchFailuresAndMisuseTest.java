package dev.cohort.recipes.leader;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.mockito.ArgumentMatchers.any;
import static org.mockito.ArgumentMatchers.anyString;
import static org.mockito.ArgumentMatchers.argThat;
import static org.mockito.ArgumentMatchers.eq;
import static org.mockito.Mockito.doAnswer;

import dev.cohort.inmemory.InMemoryFixture;
import dev.cohort.recipes.Cohort;
import dev.cohort.recipes.ForcedReplies;
import dev.cohort.recipes.RetryPolicy;
import dev.cohort.spi.BackendFailureException;
import dev.cohort.spi.CreateMode;
import dev.cohort.spi.Session;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The latch and selector under misuse, under failures of the service that leave the connection up,
 * with listeners on a direct executor, and on a virtual clock (in-memory backend; failures forced
 * on a Mockito mock that sends every call on to a real session).
 */
class LeaderLatchFailuresAndMisuseTest {

  private static final String PATH = "/election";

  private final InMemoryFixture fixture = new InMemoryFixture();
  private final List<Cohort> clients = new ArrayList<>();
  private final List<LeaderLatch> latches = new ArrayList<>();

  @AfterEach
  void close() {
    latches.forEach(LeaderLatch::close);
    clients.forEach(Cohort::close);
    fixture.close();
  }

  private Cohort started(Cohort.Builder builder) throws InterruptedException {
    Cohort client = builder.build();
    client.start();
    clients.add(client);
    return client;
  }

  private LeaderLatch latch(Cohort client, String id) {
    LeaderLatch latch = LeaderLatch.builder(client, PATH).id(id).build();
    latches.add(latch);
    return latch;
  }

  @Test
  void everyLatchAndSelectorCallOnAClientNotStartedOrClosedFailsAtOnce() throws Exception {
    Cohort notStarted = Cohort.builder(fixture.backend()).build();
    clients.add(notStarted);
    Cohort closed = started(Cohort.builder(fixture.backend()));
    closed.close();
    for (Cohort client : List.of(notStarted, closed)) {
      LeaderLatch latch = LeaderLatch.builder(client, PATH).build();
      IllegalStateException e = assertThrows(IllegalStateException.class, latch::start);
      assertTrue(e.getMessage().contains("client"), e.getMessage());
      assertThrows(IllegalStateException.class, () -> latch.await(Duration.ofSeconds(1)));
      assertThrows(IllegalStateException.class, latch::participants);
      LeaderSelector selector = LeaderSelector.builder(client, PATH, term -> { }).build();
      assertThrows(IllegalStateException.class, selector::start);
    }
  }

  @Test
  void aLatchStartedOnANotStartedClientLeavesNothingBehindToStartLater() throws Exception {
    Cohort client = Cohort.builder(fixture.backend()).build();
    clients.add(client);
    LeaderLatch latch = latch(client, "a");
    assertThrows(IllegalStateException.class, latch::start);
    client.start();
    latch.start(); // the refused start changed nothing: the latch can start now
    assertTrue(latch.await(Duration.ofSeconds(10)));
  }

  /**
   * A failure that is neither a lost connection nor a lost session, past the client's own retries
   * (none here): the latch must not stall.
   */
  @Test
  void aBackendFailureWhileQueueingIsRetriedAndTheLatchLeads() throws Exception {
    Session real = fixture.openSession();
    Session session = ForcedReplies.over(real);
    AtomicInteger failures = new AtomicInteger();
    doAnswer(inv -> failures.getAndIncrement() < 2
        ? CompletableFuture.failedFuture(new BackendFailureException(inv.getArgument(0), "forced"))
        : real.create(inv.getArgument(0), inv.getArgument(1), inv.getArgument(2)))
        .when(session).create(argThat(path -> path.contains(LeaderLatch.NODE_NAME)), any(), any(CreateMode.class));
    LeaderLatch latch = latch(ForcedReplies.clientOn(fixture, session, b -> b.retryPolicy(RetryPolicy.none())), "a");

    latch.start();

    assertTrue(latch.await(Duration.ofSeconds(10)), "the latch queued again after the failures");
    assertTrue(failures.get() >= 3, "both forced failures were met: " + failures);
  }

  /** A failure while watching the predecessor must not stall the latch either. */
  @Test
  void aBackendFailureWhileWatchingThePredecessorIsRetried() throws Exception {
    LeaderLatch first = latch(started(Cohort.builder(fixture.backend())), "first");
    first.start();
    assertTrue(first.await(Duration.ofSeconds(10)));
    Session real = fixture.openSession();
    Session session = ForcedReplies.over(real);
    AtomicInteger failures = new AtomicInteger();
    doAnswer(inv -> failures.getAndIncrement() < 1
        ? CompletableFuture.failedFuture(new BackendFailureException(inv.getArgument(0), "forced"))
        : real.getData(inv.getArgument(0), inv.getArgument(1)))
        .when(session).getData(anyString(), any());
    LeaderLatch second = latch(ForcedReplies.clientOn(fixture, session, b -> b.retryPolicy(RetryPolicy.none())), "second");
    second.start();
    await().until(() -> failures.get() >= 2); // failed once, then queued again and watches

    first.close();

    assertTrue(second.await(Duration.ofSeconds(10)), "the second leads once the first leaves");
  }

  /** A failure of the listing that decides who leads must not stall the latch either. */
  @Test
  void aBackendFailureWhileListingTheLineIsRetried() throws Exception {
    LeaderLatch first = latch(started(Cohort.builder(fixture.backend())), "first");
    first.start();
    assertTrue(first.await(Duration.ofSeconds(10)));
    Session real = fixture.openSession();
    Session session = ForcedReplies.over(real);
    AtomicInteger failures = new AtomicInteger();
    doAnswer(inv -> failures.getAndIncrement() < 2
        ? CompletableFuture.failedFuture(new BackendFailureException(inv.getArgument(0), "forced"))
        : real.getChildren(inv.getArgument(0), inv.getArgument(1)))
        .when(session).getChildren(eq(PATH), any());
    LeaderLatch second = latch(ForcedReplies.clientOn(fixture, session, b -> b.retryPolicy(RetryPolicy.none())), "second");
    second.start();
    await().until(() -> failures.get() >= 3); // failed twice, then queued again and listed

    first.close();

    assertTrue(second.await(Duration.ofSeconds(10)), "the second leads once the first leaves");
  }

  @Test
  void listenersNeverRunUnderTheLatchsLock() throws Exception {
    // a direct executor runs listener calls on the thread that hands them over
    Cohort client = started(Cohort.builder(fixture.backend()).listenerExecutor(Runnable::run));
    LeaderLatch latch = latch(client, "a");
    List<String> problems = new CopyOnWriteArrayList<>();
    List<String> heard = new CopyOnWriteArrayList<>();
    latch.addListener(new LeaderLatchListener() {
      @Override
      public void isLeader(LeadershipTerm term) {
        heard.add("isLeader");
        probe("isLeader");
      }

      @Override
      public void notLeader(LeadershipTerm term) {
        heard.add("notLeader");
        probe("notLeader");
      }

      /** Another thread must be able to use the latch while a listener runs. */
      private void probe(String call) {
        try {
          CompletableFuture.supplyAsync(latch::hasLeadership).get(5, TimeUnit.SECONDS);
        } catch (TimeoutException e) {
          problems.add(call + " ran under the latch's lock");
        } catch (Exception e) {
          problems.add(call + ": " + e);
        }
      }
    });
    latch.start();
    assertTrue(latch.await(Duration.ofSeconds(10)));
    await().until(() -> heard.contains("isLeader"));

    latch.close(CloseMode.NOTIFY_LEADER);

    await().until(() -> heard.contains("notLeader"));
    assertEquals(List.of(), problems);
  }

  @Test
  void aLatchExposesItsNodePathAndItsTermsToken() throws Exception {
    Cohort client = started(Cohort.builder(fixture.backend()));
    LeaderLatch latch = latch(client, "a");
    assertEquals(java.util.Optional.empty(), latch.ownedNodePath());
    latch.start();
    assertTrue(latch.await(Duration.ofSeconds(10)));
    String node = latch.ownedNodePath().orElseThrow();
    assertTrue(node.startsWith(PATH + "/"), node);
    assertEquals(latch.currentTerm().orElseThrow().fencingToken().value(),
        client.blocking().exists(node, null).czxid());
    assertFalse(latch.currentTerm().orElseThrow().isReconfirmation(), "a first report");
    latch.close();
    assertEquals(java.util.Optional.empty(), latch.ownedNodePath());
  }

  @Test
  void aSelectorExposesTheNodePathOfTheLeadershipItRunsWith() throws Exception {
    Cohort client = started(Cohort.builder(fixture.backend()));
    CompletableFuture<LeadershipTerm> running = new CompletableFuture<>();
    CompletableFuture<Void> finish = new CompletableFuture<>();
    LeaderSelector selector = LeaderSelector.builder(client, PATH, term -> {
      running.complete(term);
      try {
        finish.get(10, TimeUnit.SECONDS);
      } catch (Exception e) {
        Thread.currentThread().interrupt();
      }
    }).build();
    assertEquals(java.util.Optional.empty(), selector.ownedNodePath());
    selector.start();
    LeadershipTerm term = running.get(10, TimeUnit.SECONDS);
    String node = selector.ownedNodePath().orElseThrow();
    assertEquals(term.fencingToken().value(), client.blocking().exists(node, null).czxid());
    finish.complete(null);
    await().until(() -> selector.ownedNodePath().isEmpty());
    selector.close();
  }

  @Test
  void awaitFollowsTheClientsVirtualClock() throws Exception {
    LeaderLatch leader = latch(started(Cohort.builder(fixture.backend()).timeSource(fixture.time())), "a");
    leader.start();
    assertTrue(leader.await(Duration.ofSeconds(10)));
    LeaderLatch waiter = latch(started(Cohort.builder(fixture.backend()).timeSource(fixture.time())), "b");
    waiter.start();
    await().until(() -> waiter.participants().size() == 2);
    CompletableFuture<Boolean> waiting = new CompletableFuture<>();
    Thread thread = new Thread(() -> {
      try {
        waiting.complete(waiter.await(Duration.ofMinutes(10)));
      } catch (Throwable e) {
        waiting.completeExceptionally(e);
      }
    });
    thread.start();
    await().until(() -> thread.getState() == Thread.State.TIMED_WAITING || waiting.isDone()); // in its wait
    fixture.advanceTime(Duration.ofMinutes(9));
    assertFalse(waiting.isDone(), "a minute is left on the virtual clock");

    fixture.advanceTime(Duration.ofMinutes(2));

    assertFalse(waiting.get(10, TimeUnit.SECONDS), "the wait ended at its virtual deadline");
  }
}
