package dev.cohort.recipes.queue;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.mockito.ArgumentMatchers.any;
import static org.mockito.ArgumentMatchers.anyList;
import static org.mockito.ArgumentMatchers.anyString;
import static org.mockito.Mockito.doAnswer;

import dev.cohort.inmemory.InMemoryFixture;
import dev.cohort.recipes.Cohort;
import dev.cohort.recipes.ExponentialBackoff;
import dev.cohort.recipes.ForcedReplies;
import dev.cohort.spi.Op;
import dev.cohort.spi.OpResult;
import dev.cohort.spi.Session;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.Future;
import java.util.concurrent.Executors;
import java.util.concurrent.ExecutorService;
import dev.cohort.spi.SessionState;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Failures too rare to provoke with the fixture's controls, forced with Mockito around a real
 * in-memory session: every call goes to the real session, and chosen replies are turned into lost
 * ones. The tree is the real one.
 */
class WorkQueueRareFailuresTest {

  private final InMemoryFixture fixture = new InMemoryFixture();
  private final AtomicInteger lostClaimReplies = new AtomicInteger();
  private final AtomicInteger failedClaimReads = new AtomicInteger();
  private Cohort client;

  @AfterEach
  void close() {
    if (client != null) {
      client.close();
    }
    fixture.close();
  }

  /**
   * A claim whose reply is lost is retried; the retry finds the job claimed and reads the claim
   * node to see whose it is. When that read fails too, the claim may be ours: the next take must
   * look again and hand the job out, not leave it held by this live session for good.
   */
  @Test
  void aClaimThatCouldNotBeToldOursIsSettledByTheNextTake() throws Exception {
    client = clientLosing(1, 3); // a retry policy of 2 retries: 3 failed reads exhaust it
    WorkQueue queue = WorkQueue.builder(client, "/q").build();
    queue.put("work".getBytes(StandardCharsets.UTF_8));

    Optional<Job> first = queue.tryTakeAsync().get(10, TimeUnit.SECONDS);
    assertTrue(first.isEmpty(), "the claim could not be told ours on the first take");
    assertEquals(1, lostClaimReplies.get(), "the claim was applied and its reply lost");
    assertEquals(3, failedClaimReads.get(), "every read of the claim failed");

    Job job = queue.tryTakeAsync().get(10, TimeUnit.SECONDS).orElseThrow();

    assertArrayEquals("work".getBytes(StandardCharsets.UTF_8), job.payload());
    assertTrue(queue.complete(job));
    assertEquals(0, queue.size());
  }

  /**
   * A completion is applied, its reply lost while the connection is down, and the session then
   * expires: the retry meets SessionExpired. With the claim gone with its session and the job node
   * gone, nothing tells this completion from another worker's requeue or completion after the
   * expiry: complete must say the outcome is unknown, neither true (a lost claim would read as
   * done) nor false.
   */
  @Test
  void aCompletionAppliedJustBeforeTheSessionExpiresIsReportedAsOutcomeUnknown() throws Exception {
    Session real = fixture.openSession();
    Session session = ForcedReplies.over(real);
    AtomicBoolean armed = new AtomicBoolean();
    doAnswer(inv -> {
      List<Op> ops = inv.getArgument(0);
      CompletableFuture<List<OpResult>> applied = real.multi(ops);
      boolean completion = ops.stream().anyMatch(op -> op instanceof Op.Delete d && d.path().contains("/claims/"));
      if (!completion || !armed.compareAndSet(true, false)) {
        return applied;
      }
      return applied.handle((v, e) -> e == null).thenCompose(succeeded -> {
        fixture.disconnect(real); // the reply is lost with the connection; the retry waits for it
        return lost("multi");
      });
    }).when(session).multi(anyList());
    client = ForcedReplies.clientOn(fixture, session,
        b -> b.retryPolicy(new ExponentialBackoff(Duration.ofMillis(1), Duration.ofMillis(5), 2, Duration.ofSeconds(10))));
    WorkQueue queue = WorkQueue.builder(client, "/q").build();
    queue.put("work".getBytes(StandardCharsets.UTF_8));
    Job job = queue.tryTakeAsync().get(10, TimeUnit.SECONDS).orElseThrow();
    armed.set(true);

    ExecutorService completer = Executors.newSingleThreadExecutor();
    try {
      Future<Boolean> completing = completer.submit(() -> queue.complete(job));
      await().until(() -> real.state() == SessionState.SUSPENDED);
      fixture.expire(real);
      fixture.reconnect(real); // back in touch, the client is told its session expired

      java.util.concurrent.ExecutionException e = org.junit.jupiter.api.Assertions.assertThrows(
          java.util.concurrent.ExecutionException.class, () -> completing.get(20, TimeUnit.SECONDS));
      assertTrue(e.getCause() instanceof dev.cohort.spi.ConnectionLossException cl && cl.isOutcomeUnknown(),
          "the outcome is reported unknown: " + e.getCause());
    } finally {
      completer.shutdownNow();
    }
    assertEquals(0, queue.size());
  }

  /**
   * The receipt that makes a put exactly-once rides in the put's own request: a put is one request
   * (a transaction of the job's create and the receipt's write), plus a read of the pending count
   * every {@link WorkQueue#PUTS_PER_COUNT_READ} puts (two counts read at once: the number of
   * buckets and the newest bucket's jobs).
   */
  @org.junit.jupiter.params.ParameterizedTest(name = "async = {0}")
  @org.junit.jupiter.params.provider.ValueSource(booleans = {false, true})
  void aPutIsOneRequest(boolean async) throws Exception {
    Session real = fixture.openSession();
    Session session = ForcedReplies.over(real);
    client = ForcedReplies.clientOn(fixture, session, b -> b);
    WorkQueue queue = WorkQueue.builder(client, "/q").build();
    queue.put("first".getBytes(StandardCharsets.UTF_8)); // creates the receipts' directory once
    org.mockito.Mockito.clearInvocations(session);

    int puts = 2 * WorkQueue.PUTS_PER_COUNT_READ;
    for (int i = 0; i < puts; i++) {
      byte[] payload = ("job-" + i).getBytes(StandardCharsets.UTF_8);
      if (async) {
        queue.putAsync(payload).get(10, TimeUnit.SECONDS);
      } else {
        queue.put(payload);
      }
    }

    // One transaction per put, and one read transaction per count read (every PUTS_PER_COUNT_READ puts).
    org.mockito.Mockito.verify(session, org.mockito.Mockito.atLeast(puts)).multi(anyList());
    org.mockito.Mockito.verify(session, org.mockito.Mockito.atMost(puts + 2)).multi(anyList());
    org.mockito.Mockito.verify(session, org.mockito.Mockito.never()).exists(anyString(), any());
    org.mockito.Mockito.verify(session, org.mockito.Mockito.never())
        .create(anyString(), any(byte[].class), any(dev.cohort.spi.CreateMode.class));
    org.mockito.Mockito.verify(session, org.mockito.Mockito.never()).getData(anyString(), any());
    org.mockito.Mockito.verify(session, org.mockito.Mockito.never()).getChildren(anyString(), any());
    assertEquals(puts + 1, queue.size());
  }

  /**
   * A take that times out while its claim is on the way must not keep the job: the claim lands
   * after the take gave up, and the worker may never take again (it is idle, or shutting down its
   * loop). Before the fix the late claim was kept for this worker's next take, and the job sat
   * claimed by a live session that nobody would ever complete: other workers never saw it again.
   */
  @Test
  void aClaimLandingAfterItsTakeTimedOutIsGivenBack() throws Exception {
    Session real = fixture.openSession();
    Session session = ForcedReplies.over(real);
    CompletableFuture<Void> claimHeld = new CompletableFuture<>();
    CompletableFuture<Void> releaseClaim = new CompletableFuture<>();
    doAnswer(inv -> {
      List<Op> ops = inv.getArgument(0);
      boolean isClaim = ops.stream().anyMatch(op -> op instanceof Op.Create c && c.path().contains("/claims/"));
      if (!isClaim || claimHeld.isDone()) {
        return real.multi(ops);
      }
      claimHeld.complete(null);
      return releaseClaim.thenCompose(ignored -> real.multi(ops)); // applied only after the take gave up
    }).when(session).multi(anyList());
    client = ForcedReplies.clientOn(fixture, session, b -> b);
    WorkQueue idle = WorkQueue.builder(client, "/q").build();
    idle.put("work".getBytes(StandardCharsets.UTF_8));

    ExecutorService taker = Executors.newSingleThreadExecutor();
    Cohort other = Cohort.builder(fixture.backend()).build();
    try {
      Future<Optional<Job>> taking = taker.submit(() -> idle.take(Duration.ofSeconds(1)));
      claimHeld.get(10, TimeUnit.SECONDS);
      fixture.advanceTime(Duration.ofSeconds(2)); // the take's deadline passes with its claim in flight
      assertTrue(taking.get(10, TimeUnit.SECONDS).isEmpty(), "the take timed out");
      releaseClaim.complete(null); // now the claim is applied, for a take that no longer waits

      other.start();
      WorkQueue busy = WorkQueue.builder(other, "/q").build();
      java.util.concurrent.atomic.AtomicReference<Job> got = new java.util.concurrent.atomic.AtomicReference<>();
      await().atMost(Duration.ofSeconds(10)).until(() -> {
        busy.tryTakeAsync().get(10, TimeUnit.SECONDS).ifPresent(got::set);
        return got.get() != null;
      });
      assertArrayEquals("work".getBytes(StandardCharsets.UTF_8), got.get().payload());
      assertTrue(busy.complete(got.get()));
      assertEquals(0, idle.size());
    } finally {
      taker.shutdownNow();
      other.close();
    }
  }

  /**
   * A client whose session loses the reply of the first {@code claims} claim transactions (after
   * applying them) and fails the first {@code reads} reads of a claim node.
   */
  /**
   * A waiting take re-arms its watch on a directory while an event of the earlier registration
   * there is still on its way: the late event arrives after the new registration was sent and
   * before its reply. The take must still remove that registration when it gives up (an
   * idle-queue leak seen once in a CI run of {@code takesThatTimeOutOrAreInterruptedLeaveNoWatchBehind}).
   */
  @Test
  void aWatchReArmedWhileAnEarlierEventWasOnItsWayIsRemovedWhenTheTakeGivesUp() throws Exception {
    Session real = fixture.openSession();
    Session session = ForcedReplies.over(real);
    AtomicBoolean lateEventSent = new AtomicBoolean();
    doAnswer(inv -> {
      String path = inv.getArgument(0);
      dev.cohort.spi.Watcher watcher = inv.getArgument(1);
      CompletableFuture<dev.cohort.spi.Children> registered = real.getChildren(path, watcher);
      if (watcher != null && path.endsWith("/pending") && lateEventSent.compareAndSet(false, true)) {
        fixture.advanceTime(Duration.ofSeconds(2)); // the take's deadline passes: it gives up next
        watcher.process(new dev.cohort.spi.WatchEvent(dev.cohort.spi.WatchEvent.Type.NODE_CHILDREN_CHANGED, path));
      }
      return registered;
    }).when(session).getChildren(anyString(), any());
    client = ForcedReplies.clientOn(fixture, session, b -> b.timeSource(fixture.time()));
    WorkQueue queue = WorkQueue.builder(client, "/q").build();
    Cohort other = ForcedReplies.clientOn(fixture, fixture.openSession(), b -> b.timeSource(fixture.time()));
    WorkQueue holder = WorkQueue.builder(other, "/q").build();
    queue.put("held".getBytes(StandardCharsets.UTF_8));
    // another worker holds the one job, so no directory the take watches is an empty container
    // (which the fixture would remove as the clock moves, firing its watches)
    Job held = holder.tryTakeAsync().get(10, TimeUnit.SECONDS).orElseThrow();
    int baseline = fixture.backend().registeredWatches();

    assertEquals(Optional.empty(), queue.take(Duration.ofSeconds(1)));

    assertTrue(lateEventSent.get(), "a late event met a re-armed watch");
    await().atMost(Duration.ofSeconds(5)).untilAsserted(() ->
        assertEquals(baseline, fixture.backend().registeredWatches(), "watches left by the take that gave up"));
    assertTrue(holder.complete(held));
    other.close();
  }

  private Cohort clientLosing(int claims, int reads) throws Exception {
    Session real = fixture.openSession();
    Session session = ForcedReplies.over(real);
    doAnswer(inv -> {
      List<Op> ops = inv.getArgument(0);
      CompletableFuture<List<OpResult>> applied = real.multi(ops);
      boolean isClaim = ops.stream().anyMatch(op -> op instanceof Op.Create c && c.path().contains("/claims/"));
      if (!isClaim) {
        return applied;
      }
      return applied.handle((v, e) -> e == null).thenCompose(succeeded ->
          succeeded && lostClaimReplies.getAndIncrement() < claims ? lost("multi") : applied);
    }).when(session).multi(anyList());
    doAnswer(inv -> {
      String path = inv.getArgument(0);
      if (path.contains("/claims/") && failedClaimReads.get() < reads) {
        failedClaimReads.incrementAndGet();
        return lost(path);
      }
      return real.getData(path, inv.getArgument(1));
    }).when(session).getData(anyString(), any());
    return ForcedReplies.clientOn(fixture, session,
        b -> b.retryPolicy(new ExponentialBackoff(Duration.ofMillis(1), Duration.ofMillis(5), 2, Duration.ofSeconds(10))));
  }

  private static <T> CompletableFuture<T> lost(String path) {
    return ForcedReplies.lost(path);
  }

}
