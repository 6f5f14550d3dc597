package dev.cohort.recipes.locks;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cohort.recipes.FencingToken;
import dev.cohort.recipes.RecipeSuiteSupport;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** {@link ReadWriteLock}'s guarantees, on any backend. */
public abstract class ReadWriteLockSuite extends RecipeSuiteSupport {

  private static final String PATH = "/rw";

  @Test
  void aReleaseOfASideTheThreadDoesNotHoldThrowsAndChangesNothing() throws Exception {
    ReadWriteLock a = new ReadWriteLock(newClient(), PATH);
    assertThrows(IllegalMonitorStateException.class, a.readLock()::release);
    a.readLock().acquire();
    assertThrows(IllegalMonitorStateException.class, a.writeLock()::release, "a reader holds no write hold");
    java.util.concurrent.ExecutionException e = assertThrows(java.util.concurrent.ExecutionException.class,
        () -> inThread(a.readLock()::release).get(10, TimeUnit.SECONDS));
    assertTrue(e.getCause() instanceof IllegalMonitorStateException, e.getCause().toString());
    assertTrue(a.readLock().isHeldByCurrentThread());
    String node = a.readLock().ownedNodePath().orElseThrow();
    assertTrue(node.startsWith(PATH + "/") && exists(node), node);
    assertEquals(Optional.empty(), a.writeLock().ownedNodePath());
    assertTrue(a.readLock().release());
    awaitChildren(PATH, 0);
  }

  @Test
  void bothSidesOnAClientNotStartedOrClosedFailAtOnce() throws Exception {
    dev.cohort.recipes.Cohort notStarted = dev.cohort.recipes.Cohort.builder(fixture.backend()).build();
    dev.cohort.recipes.Cohort closed = newClient();
    closed.close();
    for (dev.cohort.recipes.Cohort client : List.of(notStarted, closed)) {
      ReadWriteLock lock = new ReadWriteLock(client, PATH);
      for (InterProcessLock side : List.of(lock.readLock(), lock.writeLock())) {
        java.util.concurrent.ExecutionException e = assertThrows(java.util.concurrent.ExecutionException.class,
            () -> inThread(side::acquire).get(10, TimeUnit.SECONDS));
        assertTrue(e.getCause() instanceof IllegalStateException, e.getCause().toString());
        assertThrows(IllegalStateException.class, () -> side.tryAcquire(Duration.ofSeconds(1)));
        assertThrows(IllegalStateException.class, side::tryLock);
      }
    }
    notStarted.close();
  }

  @Test
  void readersShareTheLock() throws Exception {
    ReadWriteLock a = new ReadWriteLock(newClient(), PATH);
    ReadWriteLock b = new ReadWriteLock(newClient(), PATH);
    a.readLock().acquire();
    Optional<FencingToken> bRead = inThread(() -> b.readLock().tryAcquire(Duration.ofSeconds(10))).get(10, TimeUnit.SECONDS);
    assertTrue(bRead.isPresent(), "a second reader must not wait for the first");
    assertTrue(a.readLock().isHeldByCurrentThread());
  }

  @Test
  void aWriterWaitsForReadersAndReadersQueuedBehindItWaitForIt() throws Exception {
    ReadWriteLock a = new ReadWriteLock(newClient(), PATH);
    ReadWriteLock w = new ReadWriteLock(newClient(), PATH);
    ReadWriteLock late = new ReadWriteLock(newClient(), PATH);
    a.readLock().acquire();
    CompletableFuture<FencingToken> writer = inThread(() -> w.writeLock().acquire());
    awaitChildren(PATH, 2);
    Optional<FencingToken> lateRead = inThread(() -> late.readLock().tryAcquire(Duration.ofMillis(30))).get(10, TimeUnit.SECONDS);
    assertTrue(lateRead.isEmpty(), "a reader behind a queued writer must wait (no writer starvation)");
    assertFalse(writer.isDone(), "the writer must wait for the reader");
    a.readLock().release();
    writer.get(10, TimeUnit.SECONDS);
  }

  @Test
  void writersExcludeEveryoneUnderContention() throws Exception {
    AtomicInteger readers = new AtomicInteger();
    AtomicInteger writers = new AtomicInteger();
    AtomicInteger violations = new AtomicInteger();
    List<CompletableFuture<Void>> work = new ArrayList<>();
    for (int c = 0; c < 3; c++) {
      ReadWriteLock lock = new ReadWriteLock(newClient(), PATH);
      for (int t = 0; t < 2; t++) {
        boolean writer = t == 0;
        work.add(inThread(() -> {
          for (int r = 0; r < 15; r++) {
            InterProcessLock side = writer ? lock.writeLock() : lock.readLock();
            side.acquire();
            try {
              if (writer) {
                if (writers.incrementAndGet() != 1 || readers.get() != 0) {
                  violations.incrementAndGet();
                }
                writers.decrementAndGet();
              } else {
                readers.incrementAndGet();
                if (writers.get() != 0) {
                  violations.incrementAndGet();
                }
                readers.decrementAndGet();
              }
            } finally {
              side.release();
            }
          }
          return null;
        }));
      }
    }
    CompletableFuture.allOf(work.toArray(CompletableFuture[]::new)).get(60, TimeUnit.SECONDS);
    assertEquals(0, violations.get());
    awaitChildren(PATH, 0);
  }

  @Test
  void aWriterMayDowngradeToReadWithoutLettingAnotherWriterIn() throws Exception {
    ReadWriteLock a = new ReadWriteLock(newClient(), PATH);
    ReadWriteLock other = new ReadWriteLock(newClient(), PATH);
    FencingToken writeToken = a.writeLock().acquire();
    CompletableFuture<FencingToken> otherWriter = inThread(() -> other.writeLock().acquire());
    awaitChildren(PATH, 2);
    FencingToken readToken = a.readLock().acquire();
    assertTrue(a.writeLock().release(), "the write hold ends");
    assertFalse(a.writeLock().isHeldByCurrentThread());
    assertTrue(a.readLock().isHeldByCurrentThread(), "the read hold stays: downgraded");
    assertEquals(writeToken, readToken);
    await().during(Duration.ofMillis(30)).until(() -> !otherWriter.isDone());
    a.readLock().release();
    assertTrue(otherWriter.get(10, TimeUnit.SECONDS).isNewerThan(writeToken));
  }

  @Test
  void readersQueuedBehindADowngradedWriterShareWithItWhileWritersStillWait() throws Exception {
    ReadWriteLock a = new ReadWriteLock(newClient(), PATH);
    ReadWriteLock reader = new ReadWriteLock(newClient(), PATH);
    ReadWriteLock writer = new ReadWriteLock(newClient(), PATH);
    a.writeLock().acquire();
    CompletableFuture<FencingToken> readerGets = new CompletableFuture<>();
    CountDownLatch readerMayRelease = new CountDownLatch(1);
    CompletableFuture<Boolean> readerReleased = inThread(() -> {
      readerGets.complete(reader.readLock().acquire());
      readerMayRelease.await();
      return reader.readLock().release();
    });
    awaitChildren(PATH, 2);
    CompletableFuture<FencingToken> writerGets = inThread(() -> writer.writeLock().acquire());
    awaitChildren(PATH, 3);
    await().during(Duration.ofMillis(30)).until(() -> !readerGets.isDone());

    a.readLock().acquire();
    a.writeLock().release(); // downgrade

    readerGets.get(10, TimeUnit.SECONDS);
    assertTrue(a.readLock().isHeldByCurrentThread(), "both readers hold at once");
    assertThrows(IllegalStateException.class, () -> a.writeLock().acquire(),
        "a downgraded hold may not become a write hold again: readers trust the mark");
    await().during(Duration.ofMillis(30)).until(() -> !writerGets.isDone());
    a.readLock().release();
    await().during(Duration.ofMillis(30)).until(() -> !writerGets.isDone());
    readerMayRelease.countDown();
    assertTrue(readerReleased.get(10, TimeUnit.SECONDS));
    writerGets.get(10, TimeUnit.SECONDS);
  }

  @Test
  void upgradingAReadHoldIsRefusedAndChangesNothing() throws Exception {
    ReadWriteLock a = new ReadWriteLock(newClient(), PATH);
    a.readLock().acquire();
    assertThrows(IllegalStateException.class, () -> a.writeLock().acquire());
    assertTrue(a.readLock().isHeldByCurrentThread());
    assertFalse(a.writeLock().isHeldByCurrentThread());
    assertEquals(1, childrenOf(PATH).size());
  }
}
