package dev.cohort.recipes.locks;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cohort.recipes.Cohort;
import dev.cohort.recipes.RecipeSuiteSupport;
import dev.cohort.tck.FaultControl;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/** {@link Semaphore}'s guarantees, on any backend. */
public abstract class SemaphoreSuite extends RecipeSuiteSupport {

  private static final String PATH = "/sem";

  @Test
  void aSemaphoreOnAClientNotStartedOrClosedFailsAtOnce() throws Exception {
    Cohort notStarted = Cohort.builder(fixture.backend()).build();
    Cohort closed = newClient();
    closed.close();
    for (Cohort client : List.of(notStarted, closed)) {
      Semaphore semaphore = new Semaphore(client, PATH, 2);
      java.util.concurrent.ExecutionException e = assertThrows(java.util.concurrent.ExecutionException.class,
          () -> inThread(semaphore::acquire).get(10, TimeUnit.SECONDS));
      assertTrue(e.getCause() instanceof IllegalStateException, e.getCause().toString());
      assertThrows(IllegalStateException.class, () -> semaphore.tryAcquire(Duration.ofSeconds(1)));
    }
    notStarted.close();
  }

  @Test
  void aLeaseExposesItsNodePath() throws Exception {
    Lease lease = new Semaphore(newClient(), PATH, 2).acquire();
    assertTrue(lease.nodePath().startsWith(PATH + "/leases/") && exists(lease.nodePath()), lease.nodePath());
    assertTrue(lease.release());
    await().until(() -> !exists(lease.nodePath()));
  }

  @Test
  void atMostNLeasesAreHeldAtOnceUnderContention() throws Exception {
    int max = 2;
    AtomicInteger holding = new AtomicInteger();
    AtomicInteger peak = new AtomicInteger();
    AtomicInteger violations = new AtomicInteger();
    List<CompletableFuture<Void>> work = new ArrayList<>();
    for (int c = 0; c < 3; c++) {
      Semaphore sem = new Semaphore(newClient(), PATH, max);
      for (int t = 0; t < 2; t++) {
        work.add(inThread(() -> {
          for (int r = 0; r < 10; r++) {
            try (Lease lease = sem.acquire()) {
              int now = holding.incrementAndGet();
              peak.accumulateAndGet(now, Math::max);
              if (now > max) {
                violations.incrementAndGet();
              }
              holding.decrementAndGet();
            }
          }
          return null;
        }));
      }
    }
    CompletableFuture.allOf(work.toArray(CompletableFuture[]::new)).get(60, TimeUnit.SECONDS);
    assertEquals(0, violations.get(), "more than " + max + " leases at once");
    awaitChildren(PATH + "/leases", 0);
    awaitChildren(PATH + "/gate", 0);
  }

  @Test
  void eachLeaseHasItsOwnTokenAndTheNextWaiterGetsAReleasedOne() throws Exception {
    Semaphore a = new Semaphore(newClient(), PATH, 2);
    Semaphore b = new Semaphore(newClient(), PATH, 2);
    Lease first = a.acquire();
    Lease second = a.acquire();
    assertFalse(first.fencingToken().equals(second.fencingToken()));
    Optional<Lease> none = inThread(() -> b.tryAcquire(Duration.ofMillis(30))).get(10, TimeUnit.SECONDS);
    assertTrue(none.isEmpty());
    awaitChildren(PATH + "/leases", 2);
    awaitChildren(PATH + "/gate", 0);
    CompletableFuture<Lease> third = inThread(b::acquire);
    assertTrue(first.release());
    assertFalse(first.release(), "release is idempotent");
    Lease got = third.get(10, TimeUnit.SECONDS);
    assertTrue(got.fencingToken().isNewerThan(second.fencingToken()));
    Set<Long> tokens = new HashSet<>(List.of(first.fencingToken().value(), second.fencingToken().value(),
        got.fencingToken().value()));
    assertEquals(3, tokens.size());
  }

  @Test
  void leasesOfAnExpiredSessionAreFreedForOthers() throws Exception {
    requireFaults(FaultControl.EXPIRE);
    Cohort aClient = newClient();
    Semaphore a = new Semaphore(aClient, PATH, 1);
    Semaphore b = new Semaphore(newClient(), PATH, 1);
    Lease lease = a.acquire();
    CompletableFuture<Lease> bGets = inThread(b::acquire);
    fixture.expire(aClient.session());
    bGets.get(10, TimeUnit.SECONDS);
    assertFalse(lease.isValid());
    assertTrue(lease.release(), "releasing a lost lease is harmless");
    assertEquals(1, childrenOf(PATH + "/leases").size(), "b's lease is untouched");
  }

  @Test
  void aReleaseWakesOnlyTheGateHolderAndTheNextInLineNoMatterHowManyWait() throws Exception {
    Assumptions.assumeTrue(watchEventsDelivered().isPresent(), "the backend does not count watch events");
    Semaphore holder = new Semaphore(newClient(), PATH, 1);
    Lease held = holder.acquire();
    List<Semaphore> semaphores = new ArrayList<>();
    CountDownLatch letGo = new CountDownLatch(1);
    AtomicInteger granted = new AtomicInteger();
    List<CompletableFuture<Void>> waiters = new ArrayList<>();
    for (int c = 0; c < 2; c++) {
      Semaphore sem = new Semaphore(newClient(), PATH, 1);
      semaphores.add(sem);
      for (int w = 0; w < 10; w++) {
        waiters.add(inThread(() -> {
          try (Lease lease = sem.acquire()) {
            granted.incrementAndGet();
            letGo.await();
          }
          return null;
        }));
      }
    }
    await().atMost(Duration.ofSeconds(30)).until(() -> semaphores.stream().mapToInt(Semaphore::parkedWaiters).sum() == 20);
    long before = watchEventsDelivered().getAsLong();

    held.release();

    await().until(() -> granted.get() == 1 && semaphores.stream().mapToInt(Semaphore::parkedWaiters).sum() == 19);
    assertEquals(2, watchEventsDelivered().getAsLong() - before,
        "one event for the gate holder (a lease freed), one for the next in line (the gate freed)");
    letGo.countDown();
    CompletableFuture.allOf(waiters.toArray(CompletableFuture[]::new)).get(60, TimeUnit.SECONDS);
    assertEquals(20, granted.get());
  }

  @Test
  void aSemaphoreWithoutLeasesIsRefused() {
    Cohort client = newClient();
    assertThrows(IllegalArgumentException.class, () -> new Semaphore(client, PATH, 0));
    assertEquals(List.of(), childrenOf("/"));
  }
}
