package dev.cohort.recipes.locks;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cohort.recipes.RecipeSuiteSupport;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReferenceArray;
import org.junit.jupiter.api.Test;

/**
 * Watches are resources: a lock that many clients contend on, with short timeouts and interrupts,
 * leaves no watch registered on the service once every client is idle. Each backend counts the
 * watches its service holds.
 */
public abstract class LockWatchLeakSuite extends RecipeSuiteSupport {

  private static final String LOCK = "/leak/l";
  private static final int CLIENTS = 4;

  /** The watches the service holds now, over every session. */
  protected abstract int registeredWatches();

  /** Contended cycles (acquisitions, timeouts and interrupted waits) in the whole test. */
  protected int cycles() {
    return 10_000;
  }

  @Test
  void contendedCyclesWithTimeoutsAndInterruptsLeaveNoWatchBehind() throws Exception {
    List<DistributedLock> locks = new ArrayList<>();
    for (int i = 0; i < CLIENTS; i++) {
      locks.add(new DistributedLock(newClient(), LOCK));
    }
    int baseline = registeredWatches();
    AtomicInteger next = new AtomicInteger();
    AtomicInteger acquired = new AtomicInteger();
    AtomicInteger timedOut = new AtomicInteger();
    AtomicInteger interrupted = new AtomicInteger();
    AtomicReferenceArray<Thread> workers = new AtomicReferenceArray<>(CLIENTS);
    List<CompletableFuture<Void>> done = new ArrayList<>();
    for (int w = 0; w < CLIENTS; w++) {
      int me = w;
      DistributedLock lock = locks.get(w);
      done.add(inThread(() -> {
        workers.set(me, Thread.currentThread());
        int i;
        while ((i = next.getAndIncrement()) < cycles()) {
          try {
            boolean got = switch (i % 4) {
              case 0 -> lock.tryAcquire(Duration.ofMillis(1)).isPresent();
              case 1 -> lock.tryAcquire(Duration.ofMillis(3)).isPresent();
              case 2 -> lock.tryLock().isPresent();
              default -> {
                lock.acquire();
                yield true;
              }
            };
            if (got) {
              acquired.incrementAndGet();
              if (i % 13 == 0) {
                // interrupt a neighbour, most likely in the middle of a wait for this hold
                Thread other = workers.get((me + 1) % CLIENTS);
                if (other != null) {
                  other.interrupt();
                }
              }
              lock.release();
            } else {
              timedOut.incrementAndGet();
            }
          } catch (InterruptedException e) {
            interrupted.incrementAndGet();
          }
        }
        Thread.interrupted(); // an interrupt that came after the last wait
        return null;
      }));
    }
    CompletableFuture.allOf(done.toArray(CompletableFuture[]::new)).get(120, TimeUnit.SECONDS);
    assertTrue(acquired.get() > 0 && timedOut.get() > 0, "contended: " + acquired + " held, " + timedOut + " timed out");

    awaitChildren(LOCK, 0);
    try {
      await().atMost(Duration.ofSeconds(10)).until(() -> registeredWatches() == baseline);
    } catch (org.awaitility.core.ConditionTimeoutException e) {
      // the assertion below says how many were left
    }
    assertEquals(baseline, registeredWatches(), () -> "watches left after " + acquired + " holds, "
        + timedOut + " timeouts, " + interrupted + " interrupted waits");
  }
}
