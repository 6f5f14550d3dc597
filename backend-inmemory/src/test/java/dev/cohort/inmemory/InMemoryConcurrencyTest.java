package dev.cohort.inmemory;

import static dev.cohort.inmemory.InMemoryBackendTest.join;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cohort.spi.CreateMode;
import dev.cohort.spi.Created;
import dev.cohort.spi.Session;
import dev.cohort.spi.WatchEvent;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;

/** Many sessions on many threads: linearizable writes, per-session FIFO, and a callback executor. */
class InMemoryConcurrencyTest {

  @Test
  void concurrentSessionsCreatingSequentialNodesGetUniqueNamesAndDistinctZxids() throws Exception {
    int threads = 4;
    int perThread = 500;
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    try (InMemoryFixture fixture = new InMemoryFixture()) {
      Session setup = fixture.openSession();
      join(setup.create("/q", new byte[0], CreateMode.PERSISTENT));
      List<Future<List<Created>>> results = new ArrayList<>();
      for (int t = 0; t < threads; t++) {
        Session s = fixture.openSession();
        results.add(pool.submit(() -> {
          List<Created> mine = new ArrayList<>();
          for (int i = 0; i < perThread; i++) {
            mine.add(join(s.create("/q/item-", new byte[0], CreateMode.EPHEMERAL_SEQUENTIAL)));
          }
          return mine;
        }));
      }
      Set<String> names = new HashSet<>();
      Set<Long> zxids = new HashSet<>();
      for (Future<List<Created>> result : results) {
        long previous = 0;
        for (Created c : result.get()) {
          names.add(c.path());
          zxids.add(c.stat().czxid());
          assertTrue(c.stat().czxid() > previous, "one session's writes take effect in issue order");
          previous = c.stat().czxid();
        }
      }
      assertEquals(threads * perThread, names.size());
      assertEquals(threads * perThread, zxids.size());
      assertEquals(threads * perThread, join(setup.getChildren("/q")).names().size());
    } finally {
      pool.shutdownNow();
    }
  }

  @Test
  void withACallbackExecutorCompletionsStayInIssueOrderAndOffTheCallingThread() {
    ExecutorService callbacks = Executors.newFixedThreadPool(2);
    try (InMemoryBackend backend = InMemoryBackend.builder().callbackExecutor(callbacks).build()) {
      Session s = join(backend.openSession());
      List<Integer> order = new CopyOnWriteArrayList<>();
      Set<Thread> threads = ConcurrentHashMap.newKeySet();
      // Watchers run on the delivery thread (a dependent stage attached late would run on the caller).
      join(s.exists("/n199", e -> threads.add(Thread.currentThread())));
      List<CompletableFuture<?>> all = new ArrayList<>();
      for (int i = 0; i < 200; i++) {
        int n = i;
        all.add(s.create("/n" + i, new byte[0], CreateMode.PERSISTENT).thenRun(() -> order.add(n)));
      }
      all.forEach(InMemoryBackendTest::join);
      List<Integer> expected = new ArrayList<>();
      for (int i = 0; i < 200; i++) {
        expected.add(i);
      }
      assertEquals(expected, order);
      await().atMost(Duration.ofSeconds(10)).until(() -> !threads.isEmpty());
      assertTrue(threads.stream().noneMatch(t -> t == Thread.currentThread()));
    } finally {
      callbacks.shutdownNow();
    }
  }

  @Test
  void watchEventPrecedesTheDataAcrossSessionsUnderConcurrentWriters() throws Exception {
    ExecutorService pool = Executors.newFixedThreadPool(2);
    try (InMemoryFixture fixture = new InMemoryFixture()) {
      Session writer = fixture.openSession();
      Session reader = fixture.openSession();
      join(writer.create("/v", "0".getBytes(), CreateMode.PERSISTENT));
      java.util.concurrent.CountDownLatch firstRead = new java.util.concurrent.CountDownLatch(1);
      Future<?> writes = pool.submit(() -> {
        // Start after the reader's first read, so it sees at least one newer version.
        firstRead.await();
        for (int i = 1; i <= 300; i++) {
          join(writer.setData("/v", Integer.toString(i).getBytes(), -1));
        }
        return null;
      });
      // Each read sets a fresh watch. When a read returns a newer version than the previous read,
      // the previous read's watch must already have been delivered: join() returns only after the
      // completion ran, and the event was queued before it.
      int lastVersion = -1;
      java.util.concurrent.atomic.AtomicBoolean previousFired = new java.util.concurrent.atomic.AtomicBoolean();
      int newerVersionsSeen = 0;
      while (lastVersion < 300) {
        java.util.concurrent.atomic.AtomicBoolean fired = new java.util.concurrent.atomic.AtomicBoolean();
        int version = join(reader.getData("/v", e -> fired.set(true))).stat().version();
        if (version > lastVersion && lastVersion >= 0) {
          assertTrue(previousFired.get(), "read version " + version + " before the event for version " + lastVersion);
          newerVersionsSeen++;
        }
        lastVersion = Math.max(lastVersion, version);
        previousFired = fired;
        firstRead.countDown();
      }
      writes.get();
      assertTrue(newerVersionsSeen > 0);
      assertEquals(300, lastVersion);
    } finally {
      pool.shutdownNow();
    }
  }

  @Test
  void systemClockExpiresADisconnectedSessionOnTheHousekeepingTimer() {
    try (InMemoryBackend backend = InMemoryBackend.builder().minSessionTimeout(Duration.ofMillis(50))
        .housekeepingInterval(Duration.ofMillis(10)).build()) {
      Session doomed = join(backend.openSession(dev.cohort.spi.SessionConfig.withTimeout(Duration.ofMillis(50))));
      Session observer = join(backend.openSession());
      join(doomed.create("/e", new byte[0], CreateMode.EPHEMERAL));
      List<WatchEvent> events = new CopyOnWriteArrayList<>();
      join(observer.exists("/e", events::add));
      backend.faults().disconnect(doomed);
      await().atMost(Duration.ofSeconds(10)).until(() -> !events.isEmpty());
      assertEquals(List.of(new WatchEvent(WatchEvent.Type.NODE_DELETED, "/e")), events);
      backend.faults().reconnect(doomed);
      assertEquals(dev.cohort.spi.SessionState.EXPIRED, doomed.state());
    }
  }
}
