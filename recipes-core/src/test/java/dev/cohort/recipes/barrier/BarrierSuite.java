package dev.cohort.recipes.barrier;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cohort.recipes.Cohort;
import dev.cohort.recipes.ExponentialBackoff;
import dev.cohort.spi.NoNodeException;
import dev.cohort.tck.BackendFixture;
import dev.cohort.tck.FaultControl;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Barrier and DoubleBarrier guarantees, on any backend: subclasses supply the fixture. */
public abstract class BarrierSuite {
  private static final Duration LONG = Duration.ofSeconds(20);
  private static final Duration SHORT = Duration.ofMillis(50);

  protected abstract BackendFixture newFixture();

  private BackendFixture fixture;
  private final List<Cohort> clients = new CopyOnWriteArrayList<>();
  private ExecutorService threads;

  @BeforeEach
  void setUp() {
    fixture = newFixture();
    threads = Executors.newCachedThreadPool();
  }

  @AfterEach
  void tearDown() {
    threads.shutdownNow();
    clients.forEach(Cohort::close);
    fixture.close();
  }

  private Cohort newClient() throws InterruptedException {
    Cohort client = Cohort.builder(fixture.backend())
        .sessionTimeout(Duration.ofSeconds(10))
        .retryPolicy(new ExponentialBackoff(Duration.ofMillis(1), Duration.ofMillis(20), 5, Duration.ofSeconds(5)))
        .build();
    client.start();
    clients.add(client);
    return client;
  }

  @Test
  void waitersAreReleasedOnlyWhenTheBarrierIsRemoved() throws Exception {
    Barrier owner = Barrier.of(newClient(), "/b/gate");
    owner.set();
    Barrier waiter = Barrier.of(newClient(), "/b/gate");
    Future<Boolean> released = threads.submit(() -> waiter.waitUntilRemoved(LONG));

    assertFalse(waiter.waitUntilRemoved(SHORT), "still up");
    assertFalse(released.isDone());
    owner.remove();

    assertTrue(released.get());
    assertFalse(owner.isSet());
    assertTrue(waiter.waitUntilRemoved(SHORT), "returns at once when down");
  }

  @Test
  void aWaiterWhoseSessionExpiresIsStillReleasedWhenTheBarrierIsRemoved() throws Exception {
    Assumptions.assumeTrue(fixture.supports(FaultControl.EXPIRE), "needs EXPIRE");
    Barrier owner = Barrier.of(newClient(), "/b/gate");
    owner.set();
    Cohort waiterClient = newClient();
    Barrier waiter = Barrier.of(waiterClient, "/b/gate");
    CompletableFuture<Boolean> released = new CompletableFuture<>();
    Thread t = new Thread(() -> {
      try {
        released.complete(waiter.waitUntilRemoved(Duration.ofMinutes(5)));
      } catch (Throwable e) {
        released.completeExceptionally(e);
      }
    });
    t.setDaemon(true);
    t.start();
    await().until(() -> t.getState() == Thread.State.TIMED_WAITING); // its watch is set: it waits on the deadline
    long expired = waiterClient.sessionId();

    fixture.expire(waiterClient.session());
    await().atMost(Duration.ofSeconds(30)).until(() -> waiterClient.sessionId() != expired
        && waiterClient.connectionState().isConnected());
    owner.remove();

    assertTrue(released.get(30, TimeUnit.SECONDS), "the watch went with the old session; the wait did not");
  }

  @Test
  void settingAndRemovingAreIdempotent() throws Exception {
    Barrier barrier = Barrier.of(newClient(), "/b/gate");
    barrier.set();
    barrier.set();
    assertTrue(barrier.isSet());
    barrier.remove();
    barrier.remove();
    assertFalse(barrier.isSet());
  }

  @Test
  void nobodyPassesEnterUntilAllMembersHaveEnteredAndNobodyPassesLeaveUntilAllHaveLeft() throws Exception {
    int n = 4;
    AtomicInteger entered = new AtomicInteger();
    AtomicInteger leaving = new AtomicInteger();
    List<String> violations = new CopyOnWriteArrayList<>();
    List<Future<Boolean>> runs = new ArrayList<>();
    List<DoubleBarrier> barriers = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      barriers.add(DoubleBarrier.of(newClient(), "/b/double", "m" + i, n));
    }
    for (int i = 0; i < n - 1; i++) {
      DoubleBarrier barrier = barriers.get(i);
      runs.add(threads.submit(() -> run(barrier, n, entered, leaving, violations)));
    }
    Cohort observer = newClient();
    // The members' threads may not have created /b/double yet: a missing node means "not yet".
    await().ignoreException(NoNodeException.class)
        .until(() -> observer.blocking().getChildren("/b/double", null).names().size() == n - 1);
    assertEquals(0, leaving.get(), "with one member missing nobody got through enter");

    runs.add(threads.submit(() -> run(barriers.get(n - 1), n, entered, leaving, violations)));
    for (Future<Boolean> run : runs) {
      assertTrue(run.get());
    }

    assertTrue(violations.isEmpty(), violations.toString());
    assertEquals(List.of(), observer.blocking().getChildren("/b/double", null).names(),
        "every member node and the ready node are gone");
  }

  /**
   * One member's pass: {@code entered} counts members that have called enter, {@code leaving} those
   * that have called leave. Passing enter before every member called it, or passing leave before
   * every member called it, is a violation.
   */
  private static boolean run(DoubleBarrier barrier, int n, AtomicInteger entered, AtomicInteger leaving,
      List<String> violations) throws InterruptedException {
    entered.incrementAndGet();
    if (!barrier.enter(LONG)) {
      return false;
    }
    if (entered.get() < n) {
      violations.add("passed enter when only " + entered.get() + " of " + n + " had entered");
    }
    leaving.incrementAndGet();
    boolean left = barrier.leave(LONG);
    if (leaving.get() < n) {
      violations.add("passed leave when only " + leaving.get() + " of " + n + " had started leaving");
    }
    return left;
  }

  @Test
  void aMemberThatGivesUpEnteringRemovesItsNode() throws Exception {
    Cohort client = newClient();
    DoubleBarrier barrier = DoubleBarrier.of(client, "/b/double", "lonely", 3);

    assertFalse(barrier.enter(SHORT));

    assertNull(client.blocking().exists("/b/double/lonely", null));
  }

  @Test
  void aMemberThatGivesUpLeavingRemovesItsNode() throws Exception {
    DoubleBarrier a = DoubleBarrier.of(newClient(), "/b/double", "a", 2);
    Cohort bClient = newClient();
    DoubleBarrier b = DoubleBarrier.of(bClient, "/b/double", "b", 2);
    Future<Boolean> aEntered = threads.submit(() -> a.enter(LONG));
    assertTrue(b.enter(LONG));
    assertTrue(aEntered.get());

    // "a" is the lowest: it waits for "b", which never leaves.
    assertFalse(a.leave(SHORT));

    assertNull(bClient.blocking().exists("/b/double/a", null), "a's node is gone");
    assertTrue(b.leave(LONG), "b, now alone, leaves at once");
  }

  @Test
  void badMembersAreRejected() throws Exception {
    Cohort client = newClient();
    assertThrows(IllegalArgumentException.class, () -> DoubleBarrier.of(client, "/b", "ready", 2));
    assertThrows(IllegalArgumentException.class, () -> DoubleBarrier.of(client, "/b", "a/b", 2));
    assertThrows(IllegalArgumentException.class, () -> DoubleBarrier.of(client, "/b", "a", 0));
  }
}
