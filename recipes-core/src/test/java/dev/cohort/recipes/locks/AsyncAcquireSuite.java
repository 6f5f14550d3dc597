package dev.cohort.recipes.locks;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cohort.recipes.Cohort;
import dev.cohort.recipes.FencingToken;
import dev.cohort.recipes.RecipeSuiteSupport;
import dev.cohort.tck.FaultControl;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledForJreRange;
import org.junit.jupiter.api.condition.JRE;

/**
 * The asynchronous, cancellable acquires of {@link DistributedLock} and {@link Semaphore}, on any
 * backend: no thread waits, a cancelled or timed-out acquire leaves no node and no watch, and the
 * future completes on the client's listener executor.
 */
public abstract class AsyncAcquireSuite extends RecipeSuiteSupport {

  private static final String LOCK = "/async/l";
  private static final String SEM = "/async/s";

  /** The watches the service holds now over every session, if the backend counts them. */
  protected OptionalInt registeredWatches() {
    return OptionalInt.empty();
  }

  /**
   * Whether removing a watcher removes the service's watch at once. ZooKeeper's removal of one
   * watcher only checks the server's watch and drops the client's registration: the server's entry
   * (one per path and session) stays until the node next changes, when it fires to nobody.
   */
  protected boolean removesServiceWatchAtOnce() {
    return true;
  }

  private void awaitWatches(int expected) {
    if (registeredWatches().isPresent()) {
      await().atMost(Duration.ofSeconds(10)).until(() -> registeredWatches().getAsInt() == expected);
    }
  }

  private static <T> T get(CompletableFuture<T> future) throws Exception {
    return future.get(10, TimeUnit.SECONDS);
  }

  // ---- DistributedLock -----------------------------------------------------------------------

  @Test
  void anAsyncAcquireOfAFreeLockCompletesWithAHoldWhoseTokenIsItsNodes() throws Exception {
    DistributedLock lock = new DistributedLock(newClient(), LOCK);
    LockHold hold = get(lock.acquireAsync());
    assertTrue(hold.isValid());
    assertEquals(List.of(hold.nodePath().substring(LOCK.length() + 1)), childrenOf(LOCK));
    assertFalse(lock.isHeldByCurrentThread(), "an asynchronous hold belongs to no thread");
    assertTrue(hold.release());
    assertFalse(hold.release(), "release is idempotent");
    assertFalse(hold.isValid());
    awaitChildren(LOCK, 0);
  }

  @Test
  void anAsyncWaiterParksNoThreadAndGetsTheLockWhenTheHolderReleases() throws Exception {
    DistributedLock a = new DistributedLock(newClient(), LOCK);
    DistributedLock b = new DistributedLock(newClient(), LOCK);
    FencingToken aToken = a.acquire();
    CompletableFuture<LockHold> waiting = b.acquireAsync();
    await().until(() -> b.parkedWaiters() == 1);
    assertFalse(waiting.isDone(), "b must not hold while a does");
    assertEquals(2, childrenOf(LOCK).size());
    a.release();
    LockHold hold = get(waiting);
    assertTrue(hold.fencingToken().isNewerThan(aToken));
    hold.release();
    awaitChildren(LOCK, 0);
  }

  @Test
  void cancellingAPendingAcquireDeletesItsNodeAndLeavesNoWatch() throws Exception {
    DistributedLock a = new DistributedLock(newClient(), LOCK);
    DistributedLock b = new DistributedLock(newClient(), LOCK);
    a.acquire();
    int baseline = registeredWatches().orElse(0);
    CompletableFuture<LockHold> waiting = b.acquireAsync();
    await().until(() -> b.parkedWaiters() == 1);
    assertTrue(waiting.cancel(true));
    awaitChildren(LOCK, 1);
    if (removesServiceWatchAtOnce()) {
      awaitWatches(baseline);
    }
    assertEquals(0, b.parkedWaiters());
    a.release();
    awaitChildren(LOCK, 0);
    awaitWatches(baseline);
    assertTrue(inThread(() -> b.tryAcquire(Duration.ofSeconds(10))).get(10, TimeUnit.SECONDS).isPresent(),
        "the cancelled acquire left nothing in the way");
  }

  @Test
  void anAsyncAcquireThatTimesOutFailsWithTimeoutExceptionAndLeavesNothing() throws Exception {
    DistributedLock a = new DistributedLock(newClient(), LOCK);
    DistributedLock b = new DistributedLock(newClient(), LOCK);
    a.acquire();
    int baseline = registeredWatches().orElse(0);
    CompletableFuture<LockHold> waiting = b.acquireAsync(Duration.ofMillis(50));
    ExecutionException e = assertThrows(ExecutionException.class, () -> get(waiting));
    assertTrue(e.getCause() instanceof TimeoutException, e.getCause().toString());
    awaitChildren(LOCK, 1);
    if (removesServiceWatchAtOnce()) {
      awaitWatches(baseline);
    }
    assertTrue(a.isHeldByCurrentThread());
    a.release();
    awaitChildren(LOCK, 0);
    awaitWatches(baseline);
  }

  @Test
  void anAsyncHoldIsReleasedFromAnyThreadAndMakesThreadAcquiresOfTheSameObjectWait() throws Exception {
    DistributedLock lock = new DistributedLock(newClient(), LOCK);
    LockHold hold = get(lock.acquireAsync());
    assertTrue(inThread(() -> lock.tryAcquire(Duration.ofMillis(30))).get(10, TimeUnit.SECONDS).isEmpty(),
        "a thread acquire of the same object is another contender");
    CompletableFuture<FencingToken> thread = inThread(() -> {
      FencingToken t = lock.acquire();
      lock.release();
      return t;
    });
    await().until(() -> lock.parkedWaiters() == 1);
    assertTrue(inThread(hold::release).get(10, TimeUnit.SECONDS), "released by another thread");
    assertTrue(get(thread).isNewerThan(hold.fencingToken()));
    awaitChildren(LOCK, 0);
  }

  @Test
  void aThreadThatHoldsTheLockIsRefusedAnAsyncAcquireAndNothingIsQueued() throws Exception {
    DistributedLock lock = new DistributedLock(newClient(), LOCK);
    lock.acquire();
    assertThrows(IllegalStateException.class, lock::acquireAsync, "it would wait for this very thread");
    assertEquals(1, childrenOf(LOCK).size());
    assertTrue(lock.release());
    assertThrows(NullPointerException.class, () -> lock.acquireAsync(null));
  }

  @Test
  void anAsyncAcquireOnAClientNotStartedOrClosedFailsAtOnce() {
    Cohort notStarted = Cohort.builder(fixture.backend()).build();
    Cohort closed = newClient();
    closed.close();
    for (Cohort client : List.of(notStarted, closed)) {
      assertThrows(IllegalStateException.class, () -> new DistributedLock(client, LOCK).acquireAsync());
      assertThrows(IllegalStateException.class, () -> new Semaphore(client, SEM, 1).acquireAsync());
    }
    notStarted.close();
  }

  @Test
  void closingTheClientFailsItsPendingAsyncAcquiresWithAClearErrorAndLeavesNoNode() throws Exception {
    DistributedLock a = new DistributedLock(newClient(), LOCK);
    Semaphore aSem = new Semaphore(newClient(), SEM, 1);
    Cohort bClient = newClient();
    DistributedLock b = new DistributedLock(bClient, LOCK);
    Semaphore bSem = new Semaphore(bClient, SEM, 1);
    a.acquire();
    aSem.acquire();
    CompletableFuture<LockHold> lockWaits = b.acquireAsync();
    CompletableFuture<Lease> leaseWaits = bSem.acquireAsync();
    await().until(() -> b.parkedWaiters() == 1 && bSem.parkedWaiters() == 1);
    bClient.close();
    for (CompletableFuture<?> waiting : List.of(lockWaits, leaseWaits)) {
      ExecutionException e = assertThrows(ExecutionException.class, () -> get(waiting));
      assertTrue(e.getCause() instanceof IllegalStateException, e.getCause().toString());
    }
    awaitChildren(LOCK, 1);
    awaitChildren(SEM + "/leases", 1);
    awaitChildren(SEM + "/gate", 0);
  }

  @Test
  void theFutureCompletesOnTheClientsListenerExecutor() throws Exception {
    ExecutorService listeners = Executors.newSingleThreadExecutor(r -> new Thread(r, "test-listeners"));
    try {
      DistributedLock a = new DistributedLock(newClient(), LOCK);
      DistributedLock b = new DistributedLock(newClient(Cohort.builder(fixture.backend()).listenerExecutor(listeners)), LOCK);
      a.acquire();
      CompletableFuture<LockHold> waiting = b.acquireAsync();
      AtomicReference<String> ranOn = new AtomicReference<>();
      CompletableFuture<LockHold> seen = waiting.whenComplete((h, e) -> ranOn.set(Thread.currentThread().getName()));
      await().until(() -> b.parkedWaiters() == 1);
      a.release();
      get(seen).release();
      assertEquals("test-listeners", ranOn.get());
    } finally {
      listeners.shutdownNow();
    }
  }

  @Test
  void aHoldWhoseAcquireWasCancelledAsItWasGrantedIsGivenBack() throws Exception {
    DistributedLock a = new DistributedLock(newClient(), LOCK);
    DistributedLock b = new DistributedLock(newClient(), LOCK);
    for (int i = 0; i < 20; i++) {
      FencingToken aToken = a.acquire();
      CompletableFuture<LockHold> waiting = b.acquireAsync();
      await().until(() -> b.parkedWaiters() == 1);
      a.release();
      // races the grant: a cancel that lost found the hold delivered, which is ours to release
      if (!waiting.cancel(false)) {
        get(waiting).release();
      }
      awaitChildren(LOCK, 0);
      assertTrue(a.tryAcquire(Duration.ofSeconds(10)).orElseThrow().isNewerThan(aToken));
      a.release();
    }
  }

  @Test
  void anAsyncWaiterWhoseSessionExpiresQueuesAgainAndGetsTheLock() throws Exception {
    requireFaults(FaultControl.EXPIRE);
    DistributedLock a = new DistributedLock(newClient(), LOCK);
    Cohort bClient = newClient();
    DistributedLock b = new DistributedLock(bClient, LOCK);
    FencingToken aToken = a.acquire();
    CompletableFuture<LockHold> waiting = b.acquireAsync();
    await().until(() -> b.parkedWaiters() == 1);
    long firstSession = bClient.sessionId();
    fixture.expire(bClient.session());
    await().atMost(Duration.ofSeconds(20)).until(() -> bClient.sessionId() != firstSession && b.parkedWaiters() == 1);
    assertFalse(waiting.isDone());
    awaitChildren(LOCK, 2);
    a.release();
    LockHold hold = get(waiting);
    assertTrue(hold.fencingToken().isNewerThan(aToken));
    assertTrue(hold.isValid());
    hold.release();
    awaitChildren(LOCK, 0);
  }

  @Test
  void anAsyncHoldEndsWithItsSessionAndTheNextAsyncWaiterTakesOver() throws Exception {
    requireFaults(FaultControl.EXPIRE);
    Cohort aClient = newClient();
    DistributedLock a = new DistributedLock(aClient, LOCK);
    DistributedLock b = new DistributedLock(newClient(), LOCK);
    LockHold aHold = get(a.acquireAsync());
    CompletableFuture<LockHold> waiting = b.acquireAsync();
    await().until(() -> b.parkedWaiters() == 1);
    fixture.expire(aClient.session());
    LockHold bHold = get(waiting);
    assertTrue(bHold.fencingToken().isNewerThan(aHold.fencingToken()));
    await().until(() -> !aHold.isValid());
    assertTrue(aHold.release(), "releasing a hold lost with its session is quiet");
    assertEquals(1, childrenOf(LOCK).size(), "b's node survives a's release");
    bHold.release();
  }

  @Test
  void anAsyncWaiterThatIsDisconnectedAndReconnectedStillGetsTheLockOnce() throws Exception {
    requireFaults(FaultControl.DISCONNECT);
    DistributedLock a = new DistributedLock(newClient(), LOCK);
    Cohort bClient = newClient();
    DistributedLock b = new DistributedLock(bClient, LOCK);
    a.acquire();
    CompletableFuture<LockHold> waiting = b.acquireAsync();
    await().until(() -> b.parkedWaiters() == 1);
    fixture.disconnect(bClient.session());
    a.release();
    fixture.reconnect(bClient.session());
    LockHold hold = get(waiting);
    assertEquals(1, childrenOf(LOCK).size());
    assertTrue(hold.isValid());
    hold.release();
    awaitChildren(LOCK, 0);
  }

  @Test
  void aLostReplyOnTheAsyncQueueingCreateLeavesNoOrphan() throws Exception {
    requireFaults(FaultControl.LOSE_REPLY);
    Cohort aClient = newClient();
    DistributedLock a = new DistributedLock(aClient, LOCK);
    fixture.loseNextReply(aClient.session());
    LockHold hold = get(a.acquireAsync(Duration.ofSeconds(10)));
    assertEquals(1, childrenOf(LOCK).size(), "exactly one node: no orphan from the lost reply");
    hold.release();
    awaitChildren(LOCK, 0);
  }

  @Test
  void manyAsyncContendersOnFewThreadsAreMutuallyExclusive() throws Exception {
    int rounds = 40;
    List<DistributedLock> locks = List.of(new DistributedLock(newClient(), LOCK), new DistributedLock(newClient(), LOCK));
    AtomicInteger inside = new AtomicInteger();
    AtomicInteger overlaps = new AtomicInteger();
    List<CompletableFuture<Void>> all = new ArrayList<>();
    for (int i = 0; i < rounds; i++) {
      all.add(locks.get(i % 2).acquireAsync().thenAccept(hold -> {
        if (inside.incrementAndGet() != 1) {
          overlaps.incrementAndGet();
        }
        inside.decrementAndGet();
        hold.release();
      }));
    }
    CompletableFuture.allOf(all.toArray(CompletableFuture[]::new)).get(60, TimeUnit.SECONDS);
    assertEquals(0, overlaps.get());
    awaitChildren(LOCK, 0);
  }

  /**
   * Blocking acquires park virtual threads, not carriers: many virtual threads contend on one
   * lock. Runs on a JDK with virtual threads only; the build targets 17, so they are made by name.
   */
  @Test
  @EnabledForJreRange(min = JRE.JAVA_21)
  void blockingAcquiresWorkFromVirtualThreads() throws Exception {
    ExecutorService virtual = (ExecutorService) Executors.class.getMethod("newVirtualThreadPerTaskExecutor").invoke(null);
    try {
      DistributedLock lock = new DistributedLock(newClient(), LOCK);
      AtomicInteger inside = new AtomicInteger();
      AtomicInteger overlaps = new AtomicInteger();
      List<java.util.concurrent.Future<?>> tasks = new ArrayList<>();
      for (int i = 0; i < 50; i++) {
        tasks.add(virtual.submit(() -> {
          lock.acquire();
          try {
            if (inside.incrementAndGet() != 1) {
              overlaps.incrementAndGet();
            }
            inside.decrementAndGet();
          } finally {
            lock.release();
          }
          return null;
        }));
      }
      for (var t : tasks) {
        t.get(60, TimeUnit.SECONDS);
      }
      assertEquals(0, overlaps.get());
      awaitChildren(LOCK, 0);
    } finally {
      virtual.shutdownNow();
    }
  }

  // ---- Semaphore -----------------------------------------------------------------------------

  @Test
  void anAsyncSemaphoreAcquireCompletesWithALeaseAndWaitsForAFreeOne() throws Exception {
    Semaphore a = new Semaphore(newClient(), SEM, 1);
    Semaphore b = new Semaphore(newClient(), SEM, 1);
    Lease first = get(a.acquireAsync());
    assertTrue(first.isValid());
    CompletableFuture<Lease> waiting = b.acquireAsync();
    await().until(() -> b.parkedWaiters() == 1);
    assertFalse(waiting.isDone());
    first.release();
    Lease second = get(waiting);
    assertTrue(second.fencingToken().isNewerThan(first.fencingToken()));
    assertEquals(1, childrenOf(SEM + "/leases").size());
    awaitChildren(SEM + "/gate", 0);
    second.release();
    awaitChildren(SEM + "/leases", 0);
  }

  @Test
  void cancellingAPendingSemaphoreAcquireLeavesNoLeaseNoGateNodeAndNoWatch() throws Exception {
    Semaphore a = new Semaphore(newClient(), SEM, 1);
    Semaphore b = new Semaphore(newClient(), SEM, 1);
    Semaphore c = new Semaphore(newClient(), SEM, 1);
    Lease held = a.acquire();
    int baseline = registeredWatches().orElse(0);
    CompletableFuture<Lease> bWaits = b.acquireAsync(); // holds the gate, waits for a lease
    await().until(() -> b.parkedWaiters() == 1);
    CompletableFuture<Lease> cWaits = c.acquireAsync(); // waits for the gate
    await().until(() -> c.parkedWaiters() == 1);
    assertTrue(bWaits.cancel(true));
    assertTrue(cWaits.cancel(true));
    awaitChildren(SEM + "/gate", 0);
    awaitChildren(SEM + "/leases", 1);
    awaitWatches(baseline);
    held.release();
    assertTrue(inThread(() -> b.tryAcquire(Duration.ofSeconds(10))).get(10, TimeUnit.SECONDS).isPresent());
  }

  @Test
  void anAsyncSemaphoreAcquireThatTimesOutFailsWithTimeoutExceptionAndLeavesNothing() throws Exception {
    Semaphore a = new Semaphore(newClient(), SEM, 1);
    Semaphore b = new Semaphore(newClient(), SEM, 1);
    a.acquire();
    int baseline = registeredWatches().orElse(0);
    ExecutionException e = assertThrows(ExecutionException.class, () -> get(b.acquireAsync(Duration.ofMillis(50))));
    assertTrue(e.getCause() instanceof TimeoutException, e.getCause().toString());
    awaitChildren(SEM + "/gate", 0);
    awaitChildren(SEM + "/leases", 1);
    awaitWatches(baseline);
  }

  @Test
  void anAsyncSemaphoreWaiterGetsTheLeaseOfAnExpiredSession() throws Exception {
    requireFaults(FaultControl.EXPIRE);
    Cohort aClient = newClient();
    Semaphore a = new Semaphore(aClient, SEM, 1);
    Semaphore b = new Semaphore(newClient(), SEM, 1);
    Lease lost = a.acquire();
    CompletableFuture<Lease> waiting = b.acquireAsync();
    await().until(() -> b.parkedWaiters() == 1);
    fixture.expire(aClient.session());
    Lease got = get(waiting);
    assertTrue(got.fencingToken().isNewerThan(lost.fencingToken()));
    assertFalse(lost.isValid());
    got.release();
  }

  @Test
  void anAsyncSemaphoreWaiterWhoseSessionExpiresQueuesAgain() throws Exception {
    requireFaults(FaultControl.EXPIRE);
    Semaphore a = new Semaphore(newClient(), SEM, 1);
    Cohort bClient = newClient();
    Semaphore b = new Semaphore(bClient, SEM, 1);
    Lease held = a.acquire();
    CompletableFuture<Lease> waiting = b.acquireAsync();
    await().until(() -> b.parkedWaiters() == 1);
    long firstSession = bClient.sessionId();
    fixture.expire(bClient.session());
    await().atMost(Duration.ofSeconds(20)).until(() -> bClient.sessionId() != firstSession && b.parkedWaiters() == 1);
    held.release();
    Lease got = get(waiting);
    assertTrue(got.isValid());
    assertEquals(1, childrenOf(SEM + "/leases").size());
    got.release();
  }

  @Test
  void manyAsyncSemaphoreAcquiresNeverExceedTheLeases() throws Exception {
    int max = 2;
    List<Semaphore> sems = List.of(new Semaphore(newClient(), SEM, max), new Semaphore(newClient(), SEM, max));
    AtomicInteger holding = new AtomicInteger();
    AtomicInteger violations = new AtomicInteger();
    List<CompletableFuture<Void>> all = new ArrayList<>();
    for (int i = 0; i < 20; i++) {
      all.add(sems.get(i % 2).acquireAsync().thenAccept(lease -> {
        if (holding.incrementAndGet() > max) {
          violations.incrementAndGet();
        }
        holding.decrementAndGet();
        lease.release();
      }));
    }
    CompletableFuture.allOf(all.toArray(CompletableFuture[]::new)).get(60, TimeUnit.SECONDS);
    assertEquals(0, violations.get());
    awaitChildren(SEM + "/leases", 0);
    awaitChildren(SEM + "/gate", 0);
    Optional<Lease> after = inThread(() -> sems.get(0).tryAcquire(Duration.ofSeconds(10))).get(10, TimeUnit.SECONDS);
    assertTrue(after.isPresent());
  }
}
