package dev.cohort.recipes.locks;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cohort.recipes.Cohort;
import dev.cohort.recipes.ConnectionState;
import dev.cohort.recipes.FencedResource;
import dev.cohort.recipes.FencingToken;
import dev.cohort.recipes.OwnershipListener;
import dev.cohort.recipes.RecipeSuiteSupport;
import dev.cohort.recipes.StaleTokenException;
import dev.cohort.tck.FaultControl;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/** {@link DistributedLock}'s guarantees, on any backend. */
public abstract class DistributedLockSuite extends RecipeSuiteSupport {

  private static final String LOCK = "/locks/l";

  @Test
  void mutualExclusionHoldsAcrossManyThreadsAndSessions() throws Exception {
    mutualExclusionHoldsAcrossManyThreadsAndSessions(Duration.ZERO);
  }

  /** As above, with every release held back to join the same client's next acquire (any thread's). */
  @Test
  void mutualExclusionHoldsWithReleasesJoinedToTheNextAcquire() throws Exception {
    mutualExclusionHoldsAcrossManyThreadsAndSessions(Duration.ofMillis(2));
  }

  private void mutualExclusionHoldsAcrossManyThreadsAndSessions(Duration joinWindow) throws Exception {
    int sessions = 4;
    int threadsPerSession = 3;
    int rounds = 25;
    FencedResource resource = new FencedResource();
    AtomicInteger inside = new AtomicInteger();
    AtomicInteger overlaps = new AtomicInteger();
    AtomicLong lastToken = new AtomicLong();
    AtomicInteger nonIncreasing = new AtomicInteger();
    AtomicInteger total = new AtomicInteger();
    List<CompletableFuture<Void>> workers = new ArrayList<>();
    for (int s = 0; s < sessions; s++) {
      DistributedLock lock = new DistributedLock(newClient(Cohort.builder(fixture.backend()).writeJoinWindow(joinWindow)),
          LOCK);
      for (int t = 0; t < threadsPerSession; t++) {
        workers.add(inThread(() -> {
          for (int r = 0; r < rounds; r++) {
            FencingToken token = lock.acquire();
            try {
              if (inside.incrementAndGet() != 1) {
                overlaps.incrementAndGet();
              }
              resource.accept(token);
              if (token.value() <= lastToken.getAndSet(token.value())) {
                nonIncreasing.incrementAndGet();
              }
              total.incrementAndGet();
              inside.decrementAndGet();
            } finally {
              lock.release();
            }
          }
          return null;
        }));
      }
    }
    CompletableFuture.allOf(workers.toArray(CompletableFuture[]::new)).get(60, TimeUnit.SECONDS);
    assertEquals(0, overlaps.get(), "two holders at once");
    assertEquals(0, nonIncreasing.get(), "a later holder got an older or equal fencing token");
    assertEquals(sessions * threadsPerSession * rounds, total.get());
    awaitChildren(LOCK, 0);
  }

  /**
   * A session that held alone, released and acquires again must still see a holder that came in
   * between, and the other way round, however the lock's directory came and went meanwhile (a
   * container directory is removed once empty and created again, which restarts its sequence
   * counter: an acquire that trusted "my sequence is the one after my last node, so nobody came in
   * between" without listing let two hold here, on ZooKeeper).
   */
  @Test
  void aSessionThatHeldAloneWaitsForAHolderThatCameInBetween() throws Exception {
    aSessionThatHeldAloneWaitsForAHolderThatCameInBetween(Duration.ZERO);
  }

  /** As above, with releases held back to join the same client's next acquire. */
  @Test
  void aSessionWhoseReleasesJoinItsAcquiresWaitsForAHolderThatCameInBetween() throws Exception {
    aSessionThatHeldAloneWaitsForAHolderThatCameInBetween(Duration.ofMillis(2));
  }

  private void aSessionThatHeldAloneWaitsForAHolderThatCameInBetween(Duration joinWindow) throws Exception {
    DistributedLock a = new DistributedLock(newClient(Cohort.builder(fixture.backend()).writeJoinWindow(joinWindow)), LOCK);
    DistributedLock b = new DistributedLock(newClient(Cohort.builder(fixture.backend()).writeJoinWindow(joinWindow)), LOCK);
    for (int i = 0; i < 3; i++) {
      a.acquire();
      a.release();
    }
    FencingToken bToken = b.acquire();
    CountDownLatch aMayRelease = new CountDownLatch(1);
    CompletableFuture<FencingToken> aGets = inThread(() -> {
      FencingToken token = a.acquire();
      aMayRelease.await();
      a.release();
      return token;
    });
    await().until(() -> a.parkedWaiters() == 1);
    assertFalse(aGets.isDone(), "b holds");
    assertFalse(a.tryLock().isPresent(), "b holds");
    b.release();
    aMayRelease.countDown();
    assertTrue(aGets.get(10, TimeUnit.SECONDS).isNewerThan(bToken));
    for (int i = 0; i < 3; i++) { // a streak again, then b's try must see a's hold
      FencingToken aToken = a.acquire();
      assertFalse(b.tryLock().isPresent(), "a holds");
      a.release();
      awaitChildren(LOCK, 0); // a release does not wait for its delete
      assertTrue(b.tryLock().orElseThrow().isNewerThan(aToken));
      b.release();
      awaitChildren(LOCK, 0);
    }
    awaitChildren(LOCK, 0);
  }

  @Test
  void reentrantAcquireKeepsOneNodeAndOneToken() throws Exception {
    DistributedLock lock = new DistributedLock(newClient(), LOCK);
    FencingToken first = lock.acquire();
    FencingToken again = lock.acquire();
    assertEquals(first, again);
    assertEquals(1, childrenOf(LOCK).size());
    assertFalse(lock.release(), "one hold remains");
    assertTrue(lock.isHeldByCurrentThread());
    assertTrue(lock.release());
    assertFalse(lock.isHeldByCurrentThread());
    awaitChildren(LOCK, 0);
  }

  @Test
  void anotherThreadOfTheSameClientMustWait() throws Exception {
    DistributedLock lock = new DistributedLock(newClient(), LOCK);
    lock.acquire();
    Optional<FencingToken> other = inThread(() -> lock.tryAcquire(Duration.ofMillis(30))).get(10, TimeUnit.SECONDS);
    assertTrue(other.isEmpty(), "per-thread: another thread must not share the hold");
    lock.release();
  }

  @Test
  void aReleaseByAThreadThatHoldsNothingThrowsAndNeverDeletesAnotherOwnersNode() throws Exception {
    DistributedLock a = new DistributedLock(newClient(), LOCK);
    DistributedLock b = new DistributedLock(newClient(), LOCK);
    a.acquire();
    assertTrue(a.release());
    assertThrows(IllegalMonitorStateException.class, a::release, "a second release is misuse");
    awaitChildren(LOCK, 0);
    FencingToken bToken = inThread(b::acquire).get(10, TimeUnit.SECONDS);
    assertThrows(IllegalMonitorStateException.class, a::release);
    List<String> nodes = childrenOf(LOCK);
    assertEquals(1, nodes.size(), "b's node must survive a's stray release");
    assertEquals(bToken.value(), czxidOf(LOCK, nodes.get(0)));
  }

  @Test
  void aReleaseFromAThreadThatDoesNotHoldTheLockThrowsAndTheLockStaysHeld() throws Exception {
    DistributedLock lock = new DistributedLock(newClient(), LOCK);
    FencingToken token = lock.acquire();
    ExecutionException e = org.junit.jupiter.api.Assertions.assertThrows(ExecutionException.class,
        () -> inThread(lock::release).get(10, TimeUnit.SECONDS));
    assertTrue(e.getCause() instanceof IllegalMonitorStateException, e.getCause().toString());
    assertTrue(lock.isHeldByCurrentThread(), "the holder still holds");
    assertEquals(List.of(token.value()), childrenOf(LOCK).stream().map(n -> czxidOf(LOCK, n)).toList());
    assertTrue(lock.release());
  }

  @Test
  void everyCallOnAClientNotStartedOrClosedFailsAtOnce() throws Exception {
    Cohort notStarted = Cohort.builder(fixture.backend()).build();
    Cohort closed = newClient();
    closed.close();
    for (Cohort client : List.of(notStarted, closed)) {
      DistributedLock lock = new DistributedLock(client, LOCK);
      // on another thread, so that a hang fails the test instead of stalling it
      for (var call : List.<ThrowingSupplier<?>>of(lock::acquire, lock::tryLock,
          () -> lock.tryAcquire(Duration.ofSeconds(30)))) {
        ExecutionException e = org.junit.jupiter.api.Assertions.assertThrows(ExecutionException.class,
            () -> inThread(call).get(10, TimeUnit.SECONDS));
        assertTrue(e.getCause() instanceof IllegalStateException, e.getCause().toString());
      }
    }
    notStarted.close();
  }

  @Test
  void theHoldersNodePathIsExposedWhileItHolds() throws Exception {
    DistributedLock lock = new DistributedLock(newClient(), LOCK);
    assertEquals(Optional.empty(), lock.ownedNodePath());
    FencingToken token = lock.acquire();
    String path = lock.ownedNodePath().orElseThrow();
    assertTrue(path.startsWith(LOCK + "/"), path);
    assertEquals(token.value(), czxidOf(LOCK, path.substring(LOCK.length() + 1)));
    assertTrue(lock.release());
    assertEquals(Optional.empty(), lock.ownedNodePath());
  }

  @Test
  void aWaiterThatTimesOutLeavesNoNode() throws Exception {
    DistributedLock a = new DistributedLock(newClient(), LOCK);
    DistributedLock b = new DistributedLock(newClient(), LOCK);
    a.acquire();
    Optional<FencingToken> got = inThread(() -> b.tryAcquire(Duration.ofMillis(30))).get(10, TimeUnit.SECONDS);
    assertTrue(got.isEmpty());
    awaitChildren(LOCK, 1);
    a.release();
    awaitChildren(LOCK, 0);
  }

  @Test
  void anInterruptedWaiterLeavesNoNodeAndThrows() throws Exception {
    DistributedLock a = new DistributedLock(newClient(), LOCK);
    DistributedLock b = new DistributedLock(newClient(), LOCK);
    a.acquire();
    Thread[] waiter = new Thread[1];
    CompletableFuture<FencingToken> attempt = inThread(() -> {
      waiter[0] = Thread.currentThread();
      return b.acquire();
    });
    await().until(() -> b.parkedWaiters() == 1);
    waiter[0].interrupt();
    ExecutionException e = assertThrows(ExecutionException.class, () -> attempt.get(10, TimeUnit.SECONDS));
    assertTrue(e.getCause() instanceof InterruptedException, e.getCause().toString());
    awaitChildren(LOCK, 1);
    assertTrue(a.isHeldByCurrentThread());
  }

  /**
   * A waiter is granted the lock without a fresh listing when its predecessor goes, if that
   * predecessor was the holder. Here the predecessor is another waiter that gives up: the woken
   * waiter must see that the holder is still there and wait for it.
   */
  @Test
  void aWaiterWhosePredecessorGivesUpKeepsWaitingForTheHolder() throws Exception {
    DistributedLock a = new DistributedLock(newClient(), LOCK);
    DistributedLock b = new DistributedLock(newClient(), LOCK);
    DistributedLock c = new DistributedLock(newClient(), LOCK);
    FencingToken aToken = a.acquire();
    Thread[] bThread = new Thread[1];
    CompletableFuture<FencingToken> bAttempt = inThread(() -> {
      bThread[0] = Thread.currentThread();
      return b.acquire();
    });
    await().until(() -> b.parkedWaiters() == 1);
    CompletableFuture<FencingToken> cAttempt = inThread(c::acquire);
    await().until(() -> c.parkedWaiters() == 1);

    bThread[0].interrupt();
    assertThrows(ExecutionException.class, () -> bAttempt.get(10, TimeUnit.SECONDS));

    // woken by b's node going, c finds a still holding and parks again, now on a's node
    await().until(() -> c.wakeups() == 1 && c.parkedWaiters() == 1);
    awaitChildren(LOCK, 2);
    assertFalse(cAttempt.isDone(), "c must not hold the lock while a does");
    assertTrue(a.isHeldByCurrentThread());

    a.release();
    assertTrue(cAttempt.get(10, TimeUnit.SECONDS).isNewerThan(aToken));
    assertEquals(2, c.wakeups(), "the release woke c once more");
  }

  /**
   * A holder's release tells the waiter behind it that it may take over. A waiter whose session
   * ends must not look like that: the waiter behind it must find the holder still there.
   */
  @Test
  void aWaiterWhosePredecessorsSessionEndsKeepsWaitingForTheHolder() throws Exception {
    requireFaults(FaultControl.EXPIRE);
    DistributedLock a = new DistributedLock(newClient(), LOCK);
    Cohort bClient = newClient();
    DistributedLock b = new DistributedLock(bClient, LOCK);
    DistributedLock c = new DistributedLock(newClient(), LOCK);
    FencingToken aToken = a.acquire();
    CompletableFuture<Optional<FencingToken>> bAttempt = inThread(() -> b.tryAcquire(Duration.ofMinutes(5)));
    await().until(() -> b.parkedWaiters() == 1);
    CompletableFuture<FencingToken> cAttempt = inThread(c::acquire);
    await().until(() -> c.parkedWaiters() == 1);

    fixture.expire(bClient.session());

    // woken by b's node going with its session, c finds a still holding and parks again on a's node
    await().until(() -> c.wakeups() == 1 && c.parkedWaiters() == 1);
    assertFalse(cAttempt.isDone(), "c must not hold the lock while a does");
    assertTrue(a.isHeldByCurrentThread());

    a.release();
    assertTrue(cAttempt.get(10, TimeUnit.SECONDS).isNewerThan(aToken));
    assertEquals(2, c.wakeups(), "the release woke c once more");
    assertFalse(bAttempt.isDone(), "b queued again on its next session, behind c");
  }

  @Test
  void expiredHolderIsToldTheNextWaiterGetsTheLockAndTheLateWriteIsRejected() throws Exception {
    requireFaults(FaultControl.EXPIRE);
    Cohort aClient = newClient();
    DistributedLock a = new DistributedLock(aClient, LOCK);
    DistributedLock b = new DistributedLock(newClient(), LOCK);
    List<OwnershipListener.Change> told = new CopyOnWriteArrayList<>();
    a.addOwnershipListener((change, token) -> told.add(change));
    FencedResource resource = new FencedResource();
    FencingToken aToken = a.acquire();
    resource.accept(aToken);
    CompletableFuture<FencingToken> bGets = inThread(b::acquire);
    await().until(() -> b.parkedWaiters() == 1);

    fixture.expire(aClient.session()); // a is "paused" while its session expires

    FencingToken bToken = bGets.get(10, TimeUnit.SECONDS);
    assertTrue(bToken.isNewerThan(aToken));
    resource.accept(bToken);
    await().until(() -> told.contains(OwnershipListener.Change.LOST));
    assertFalse(a.isHeldByCurrentThread(), "a knows its hold ended with its session");
    assertThrows(StaleTokenException.class, () -> resource.accept(aToken), "a's late write must be rejected");
    assertEquals(bToken.value(), resource.highestSeen());
    assertThrows(IllegalStateException.class, a::acquire, "a reentrant acquire must not revive a lost hold");
    assertTrue(a.release());
    assertEquals(1, childrenOf(LOCK).size(), "b's node survives a's release after the loss");
  }

  @Test
  void disconnectAndReconnectWithinTheTimeoutKeepsTheLockAndAdmitsNoSecondHolder() throws Exception {
    requireFaults(FaultControl.DISCONNECT, FaultControl.VIRTUAL_TIME);
    Cohort aClient = newClient();
    DistributedLock a = new DistributedLock(aClient, LOCK);
    DistributedLock b = new DistributedLock(newClient(), LOCK);
    List<OwnershipListener.Change> told = new CopyOnWriteArrayList<>();
    a.addOwnershipListener((change, token) -> told.add(change));
    FencingToken aToken = a.acquire();
    CompletableFuture<FencingToken> bGets = inThread(b::acquire);
    await().until(() -> b.parkedWaiters() == 1);

    fixture.disconnect(aClient.session());
    await().until(() -> told.contains(OwnershipListener.Change.MAY_BE_LOST));
    fixture.advanceTime(SESSION_TIMEOUT.dividedBy(2));
    fixture.reconnect(aClient.session());
    await().until(() -> told.contains(OwnershipListener.Change.CONFIRMED));

    assertEquals(List.of(OwnershipListener.Change.MAY_BE_LOST, OwnershipListener.Change.CONFIRMED), told);
    assertFalse(bGets.isDone(), "b must not hold while a's session lives");
    assertTrue(a.isHeldByCurrentThread());
    assertEquals(2, childrenOf(LOCK).size());
    a.release();
    assertTrue(bGets.get(10, TimeUnit.SECONDS).isNewerThan(aToken));
  }

  @Test
  void lostReplyOnTheQueueingCreateLeavesNoOrphanAndNoDeadlock() throws Exception {
    requireFaults(FaultControl.LOSE_REPLY);
    Cohort aClient = newClient();
    DistributedLock a = new DistributedLock(aClient, LOCK);
    DistributedLock b = new DistributedLock(newClient(), LOCK);
    b.acquire();
    b.release();
    awaitChildren(LOCK, 0);
    fixture.loseNextReply(aClient.session());
    Optional<FencingToken> token = a.tryAcquire(Duration.ofSeconds(10));
    assertTrue(token.isPresent(), "the lost reply must not deadlock a on its own node");
    assertEquals(1, childrenOf(LOCK).size(), "exactly one node: no orphan from the lost reply");
    a.release();
    awaitChildren(LOCK, 0);
    assertTrue(inThread(() -> b.tryAcquire(Duration.ofSeconds(10))).get(10, TimeUnit.SECONDS).isPresent());
  }

  @Test
  void releaseAfterSessionLossSendsNothingAndDeletesNoForeignNode() throws Exception {
    requireFaults(FaultControl.EXPIRE);
    Cohort aClient = newClient();
    DistributedLock a = new DistributedLock(aClient, LOCK);
    DistributedLock b = new DistributedLock(newClient(), LOCK);
    a.acquire();
    fixture.expire(aClient.session());
    FencingToken bToken = inThread(b::acquire).get(10, TimeUnit.SECONDS);
    await().until(() -> aClient.connectionState() == ConnectionState.RECONNECTED);
    OptionalLong eventsBefore = watchEventsDelivered();
    assertTrue(a.release(), "the release ends a's local hold without an error");
    assertThrows(IllegalMonitorStateException.class, a::release, "nothing is held any more");
    List<String> nodes = childrenOf(LOCK);
    assertEquals(1, nodes.size());
    assertEquals(bToken.value(), czxidOf(LOCK, nodes.get(0)), "b's node is untouched");
    if (eventsBefore.isPresent()) {
      assertEquals(eventsBefore.getAsLong(), watchEventsDelivered().getAsLong(), "nothing changed in the tree");
    }
  }

  @Test
  void oneReleaseAmongAHundredWaitersFiresOneWatchAndWakesOneThread() throws Exception {
    Assumptions.assumeTrue(watchEventsDelivered().isPresent(), "the backend does not count watch events");
    int waitersPerSession = 25;
    int sessions = 4;
    DistributedLock holder = new DistributedLock(newClient(), LOCK);
    holder.acquire();
    List<DistributedLock> locks = new ArrayList<>();
    CountDownLatch letGo = new CountDownLatch(1);
    AtomicInteger acquired = new AtomicInteger();
    List<CompletableFuture<Void>> waiters = new ArrayList<>();
    for (int s = 0; s < sessions; s++) {
      DistributedLock lock = new DistributedLock(newClient(), LOCK);
      locks.add(lock);
      for (int w = 0; w < waitersPerSession; w++) {
        waiters.add(inThread(() -> {
          lock.acquire();
          acquired.incrementAndGet();
          letGo.await();
          lock.release();
          return null;
        }));
      }
    }
    int all = sessions * waitersPerSession;
    await().atMost(Duration.ofSeconds(30)).until(() -> locks.stream().mapToInt(DistributedLock::parkedWaiters).sum() == all);
    long eventsBefore = watchEventsDelivered().getAsLong();
    long wakeupsBefore = locks.stream().mapToLong(DistributedLock::wakeups).sum();

    holder.release();

    await().until(() -> acquired.get() == 1);
    assertEquals(1, watchEventsDelivered().getAsLong() - eventsBefore, "one release must fire exactly one watch");
    assertEquals(1, locks.stream().mapToLong(DistributedLock::wakeups).sum() - wakeupsBefore,
        "one release must wake exactly one thread");
    assertEquals(all - 1, locks.stream().mapToInt(DistributedLock::parkedWaiters).sum());

    letGo.countDown();
    CompletableFuture.allOf(waiters.toArray(CompletableFuture[]::new)).get(60, TimeUnit.SECONDS);
    assertEquals(all, acquired.get());
    awaitChildren(LOCK, 0);
  }

  @Test
  void tryLockTakesAFreeLockAndLeavesNoNodeWhenItIsTaken() throws Exception {
    DistributedLock a = new DistributedLock(newClient(), LOCK);
    DistributedLock b = new DistributedLock(newClient(), LOCK);
    FencingToken aToken = a.tryLock().orElseThrow();
    assertTrue(inThread(b::tryLock).get(10, TimeUnit.SECONDS).isEmpty());
    awaitChildren(LOCK, 1);
    a.release();
    awaitChildren(LOCK, 0);
    assertTrue(inThread(b::tryLock).get(10, TimeUnit.SECONDS).orElseThrow().isNewerThan(aToken));
  }

  @Test
  void closingTheClientWakesItsWaiterWithAClearErrorAndLeavesNoNode() throws Exception {
    DistributedLock a = new DistributedLock(newClient(), LOCK);
    Cohort bClient = newClient();
    DistributedLock b = new DistributedLock(bClient, LOCK);
    a.acquire();
    CompletableFuture<FencingToken> waiting = inThread(b::acquire);
    await().until(() -> b.parkedWaiters() == 1);
    bClient.close();
    ExecutionException e = assertThrows(ExecutionException.class, () -> waiting.get(10, TimeUnit.SECONDS));
    assertTrue(e.getCause() instanceof IllegalStateException, e.getCause().toString());
    awaitChildren(LOCK, 1);
    assertTrue(a.isHeldByCurrentThread());
  }

  @Test
  void aLockWithAnInvalidPathIsRefusedAndCreatesNothing() {
    Cohort client = newClient();
    assertThrows(dev.cohort.spi.InvalidPathException.class, () -> new DistributedLock(client, "no-slash"));
    assertEquals(List.of(), childrenOf("/"));
  }

  private long czxidOf(String dir, String name) {
    try {
      return fixture.openSession().exists(fullPath(dir) + "/" + name).get(10, TimeUnit.SECONDS).czxid();
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }
}
