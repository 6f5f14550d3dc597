package dev.cohort.examples.migration;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cohort.recipes.Cohort;
import dev.cohort.recipes.FencedResource;
import dev.cohort.recipes.FencingToken;
import dev.cohort.recipes.locks.DistributedLock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.recipes.locks.InterProcessMutex;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.api.Test;

/** InterProcessMutex and DistributedLock: three processes append to one ledger, one at a time. */
class LockMigrationTest extends MigrationTestBase {

  private static final int PROCESSES = 3;
  private static final int APPENDS_EACH = 5;

  /** The shared resource: counts appends and notices two writers inside at once. */
  static final class Ledger {
    private final AtomicInteger inside = new AtomicInteger();
    private final AtomicInteger maxInside = new AtomicInteger();
    private final List<String> entries = java.util.Collections.synchronizedList(new ArrayList<>());
    private final FencedResource fence = new FencedResource();

    void append(String entry) {
      maxInside.accumulateAndGet(inside.incrementAndGet(), Math::max);
      Thread.yield(); // give an overlapping writer its chance to show up
      entries.add(entry);
      inside.decrementAndGet();
    }

    /** Cohort's side: the ledger also refuses a token older than one it has seen. */
    void append(FencingToken token, String entry) {
      fence.accept(token);
      append(entry);
    }
  }

  private final Ledger ledger = new Ledger();

  // snippet: curator-lock
  void appendToLedger(CuratorFramework client, String entry) throws Exception {
    InterProcessMutex lock = new InterProcessMutex(client, "/locks/ledger");
    if (!lock.acquire(10, TimeUnit.SECONDS)) {
      throw new IllegalStateException("/locks/ledger is busy");
    }
    try {
      ledger.append(entry);
    } finally {
      lock.release();
    }
  }
  // end-snippet

  // snippet: cohort-lock
  void appendToLedger(Cohort client, String entry) throws InterruptedException {
    DistributedLock lock = new DistributedLock(client, "/locks/ledger");
    FencingToken token = lock.tryAcquire(Duration.ofSeconds(10))
        .orElseThrow(() -> new IllegalStateException("/locks/ledger is busy"));
    try {
      ledger.append(token, entry);          // the ledger refuses a token older than one it saw
    } finally {
      lock.release();
    }
  }
  // end-snippet

  @Test
  void curatorMutexLetsOneProcessAppendAtATime() throws Exception {
    List<CuratorFramework> clients = new ArrayList<>();
    for (int i = 0; i < PROCESSES; i++) {
      clients.add(curator());
    }
    runConcurrently(i -> appendToLedger(clients.get(i / APPENDS_EACH), "entry-" + i));
    assertOneWriterAtATime();

    InterProcessMutex held = new InterProcessMutex(clients.get(0), "/locks/ledger");
    held.acquire();
    try {
      assertFalse(new InterProcessMutex(clients.get(1), "/locks/ledger").acquire(100, TimeUnit.MILLISECONDS),
          "another process cannot take a held lock");
    } finally {
      held.release();
    }
  }

  @ParameterizedTest
  @EnumSource(Backend.class)
  void cohortLockLetsOneProcessAppendAtATime(Backend backend) throws Exception {
    List<Cohort> clients = new ArrayList<>();
    for (int i = 0; i < PROCESSES; i++) {
      clients.add(cohort(backend));
    }
    runConcurrently(i -> appendToLedger(clients.get(i / APPENDS_EACH), "entry-" + i));
    assertOneWriterAtATime();

    DistributedLock held = new DistributedLock(clients.get(0), "/locks/ledger");
    FencingToken first = held.acquire();
    try {
      assertTrue(new DistributedLock(clients.get(1), "/locks/ledger").tryLock().isEmpty(),
          "another process cannot take a held lock");
    } finally {
      held.release();
    }
    FencingToken next = new DistributedLock(clients.get(1), "/locks/ledger").acquire();
    assertTrue(next.compareTo(first) > 0, "the next owner's token is larger: " + first + " then " + next);
  }

  interface Append {
    void run(int index) throws Exception;
  }

  /** Runs PROCESSES * APPENDS_EACH appends, one thread per process, all at once. */
  private void runConcurrently(Append append) throws Exception {
    ExecutorService pool = Executors.newFixedThreadPool(PROCESSES);
    try {
      List<Future<Void>> done = new ArrayList<>();
      for (int p = 0; p < PROCESSES; p++) {
        int process = p;
        Callable<Void> task = () -> {
          for (int k = 0; k < APPENDS_EACH; k++) {
            append.run(process * APPENDS_EACH + k);
          }
          return null;
        };
        done.add(pool.submit(task));
      }
      for (Future<Void> f : done) {
        f.get(60, TimeUnit.SECONDS);
      }
    } finally {
      pool.shutdownNow();
    }
  }

  private void assertOneWriterAtATime() {
    assertEquals(PROCESSES * APPENDS_EACH, ledger.entries.size(), "every append happened");
    assertEquals(1, ledger.maxInside.get(), "never two writers inside the ledger at once");
  }
}
