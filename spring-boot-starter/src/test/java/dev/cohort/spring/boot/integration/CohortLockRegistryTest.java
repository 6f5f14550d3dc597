package dev.cohort.spring.boot.integration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.cohort.inmemory.InMemoryBackend;
import dev.cohort.inmemory.ManualTimeSource;
import dev.cohort.recipes.Cohort;
import dev.cohort.recipes.FencingToken;
import dev.cohort.spi.InvalidPathException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The registry's locks follow java.util.concurrent.locks.Lock, across two clients of one backend. */
class CohortLockRegistryTest {

  private InMemoryBackend backend;
  private Cohort clientA;
  private Cohort clientB;
  private CohortLockRegistry registryA;
  private CohortLockRegistry registryB;

  @BeforeEach
  void start() throws InterruptedException {
    backend = InMemoryBackend.create();
    clientA = started();
    clientB = started();
    registryA = new CohortLockRegistry(clientA, "/locks");
    registryB = new CohortLockRegistry(clientB, "/locks");
  }

  private Cohort started() throws InterruptedException {
    Cohort c = Cohort.builder(backend).namespace("/app").build();
    c.start();
    return c;
  }

  @AfterEach
  void stop() {
    clientA.close();
    clientB.close();
    backend.close();
  }

  /** Runs {@code body} on a thread of its own, as another thread of the same process would. */
  private static <T> T onOtherThread(java.util.concurrent.Callable<T> body) throws Exception {
    CompletableFuture<T> f = new CompletableFuture<>();
    Thread t = new Thread(() -> {
      try {
        f.complete(body.call());
      } catch (Throwable e) {
        f.completeExceptionally(e);
      }
    });
    t.start();
    try {
      return f.get(30, TimeUnit.SECONDS);
    } catch (ExecutionException e) {
      throw (Exception) e.getCause();
    }
  }

  @Test
  void sameKeyGivesTheSameLockObject() {
    assertThat(registryA.obtain("job")).isSameAs(registryA.obtain("job"));
    assertThat(registryA.obtain("job")).isNotSameAs(registryA.obtain("other"));
    assertThat(registryA.obtain("job").path()).isEqualTo("/locks/job");
  }

  @Test
  void anyKeyIsOneValidNodeAndDistinctKeysNeverShare() {
    List<String> keys = List.of("a/b", "a b", "a+b", ".", "..", "%2F", "ümlaut", "a%2Fb");
    List<String> paths = keys.stream().map(registryA::pathOf).toList();
    assertThat(paths).doesNotHaveDuplicates();
    for (String path : paths) {
      assertThat(path).startsWith("/locks/");
      assertThat(path.substring("/locks/".length())).doesNotContain("/").isNotIn(".", "..");
    }
    // and each is usable on the service
    for (String key : keys) {
      CohortLock lock = registryA.obtain(key);
      assertThat(lock.tryLock()).as(key).isTrue();
      lock.unlock();
    }
  }

  @Test
  void emptyKeysAndBadPrefixesAreRefused() {
    assertThatThrownBy(() -> registryA.obtain("")).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> registryA.obtain(null)).isInstanceOf(NullPointerException.class);
    assertThatThrownBy(() -> new CohortLockRegistry(clientA, "no-slash")).isInstanceOf(InvalidPathException.class);
    assertThat(registryA.size()).isZero();
  }

  @Test
  void mutualExclusionAcrossProcesses() throws Exception {
    CohortLock a = registryA.obtain("job");
    CohortLock b = registryB.obtain("job");
    a.lock();
    assertThat(b.tryLock()).isFalse();
    assertThat(b.tryLock(50, TimeUnit.MILLISECONDS)).isFalse();
    a.unlock();
    assertThat(b.tryLock(10, TimeUnit.SECONDS)).isTrue();
    assertThat(b.isHeldByCurrentThread()).isTrue();
    b.unlock();
  }

  @Test
  void mutualExclusionBetweenThreadsOfOneProcess() throws Exception {
    CohortLock lock = registryA.obtain("job");
    lock.lock();
    assertThat((boolean) onOtherThread(() -> lock.tryLock())).isFalse();
    lock.unlock();
    assertThat((boolean) onOtherThread(() -> {
      boolean got = lock.tryLock(10, TimeUnit.SECONDS);
      lock.unlock();
      return got;
    })).isTrue();
  }

  @Test
  void reentrantPerThread() throws Exception {
    CohortLock a = registryA.obtain("job");
    a.lock();
    assertThat(a.tryLock()).isTrue();
    a.unlock();
    assertThat(registryB.obtain("job").tryLock()).isFalse(); // still held once
    a.unlock();
    assertThat(registryB.obtain("job").tryLock(10, TimeUnit.SECONDS)).isTrue();
    registryB.obtain("job").unlock();
  }

  @Test
  void unlockByAThreadThatDoesNotHoldThrows() throws Exception {
    CohortLock lock = registryA.obtain("job");
    assertThatThrownBy(lock::unlock).isInstanceOf(IllegalMonitorStateException.class);
    lock.lock();
    assertThatThrownBy(() -> onOtherThread(() -> {
      lock.unlock();
      return null;
    })).isInstanceOf(IllegalMonitorStateException.class);
    assertThat(lock.isHeldByCurrentThread()).isTrue(); // nothing changed
    assertThat(registryB.obtain("job").tryLock()).isFalse();
    lock.unlock();
  }

  @Test
  void lockInterruptiblyGivesUpOnInterruptAndLeavesNoWaiterBehind() throws Exception {
    CohortLock a = registryA.obtain("job");
    a.lock();
    CohortLock b = registryB.obtain("job");
    AtomicReference<Throwable> outcome = new AtomicReference<>();
    Thread waiter = new Thread(() -> {
      try {
        b.lockInterruptibly();
        outcome.set(new AssertionError("acquired while held"));
      } catch (Throwable e) {
        outcome.set(e);
      }
    });
    waiter.start();
    await().atMost(Duration.ofSeconds(10)).until(() -> children("/app/locks/job") == 2);
    waiter.interrupt();
    waiter.join(10_000);
    assertThat(outcome.get()).isInstanceOf(InterruptedException.class);
    assertThat(children("/app/locks/job")).isEqualTo(1);
    a.unlock();
  }

  @Test
  void lockIsNotInterruptibleButKeepsTheInterrupt() throws Exception {
    CohortLock a = registryA.obtain("job");
    a.lock();
    CohortLock b = registryB.obtain("job");
    AtomicBoolean interruptedAfter = new AtomicBoolean();
    AtomicBoolean held = new AtomicBoolean();
    CountDownLatch done = new CountDownLatch(1);
    Thread waiter = new Thread(() -> {
      b.lock();
      held.set(b.isHeldByCurrentThread());
      interruptedAfter.set(Thread.currentThread().isInterrupted());
      b.unlock();
      done.countDown();
    });
    waiter.start();
    await().atMost(Duration.ofSeconds(10)).until(() -> children("/app/locks/job") == 2);
    waiter.interrupt();
    // interrupted, it still waits: its node stays queued until it gets the lock
    await().during(Duration.ofMillis(200)).atMost(Duration.ofSeconds(5))
        .until(() -> done.getCount() == 1 && children("/app/locks/job") >= 2);
    a.unlock();
    assertThat(done.await(10, TimeUnit.SECONDS)).isTrue();
    assertThat(held).isTrue();
    assertThat(interruptedAfter).isTrue();
  }

  @Test
  void fencingTokensGrowWithEachHolder() throws Exception {
    CohortLock a = registryA.obtain("job");
    assertThat(a.fencingToken()).isEmpty();
    a.lock();
    FencingToken first = a.fencingToken().orElseThrow();
    a.unlock();
    assertThat(a.fencingToken()).isEmpty();
    CohortLock b = registryB.obtain("job");
    b.lock();
    FencingToken second = b.fencingToken().orElseThrow();
    b.unlock();
    assertThat(second.isNewerThan(first)).isTrue();
  }

  @Test
  void aHoldThatEndedWithItsSessionMustBeUnlockedBeforeLockingAgain() throws Exception {
    CohortLock a = registryA.obtain("job");
    a.lock();
    FencingToken old = a.fencingToken().orElseThrow();
    backend.faults().expire(clientA.session());
    await().atMost(Duration.ofSeconds(10)).until(() -> !a.isHeldByCurrentThread());
    // the other process takes over
    CohortLock b = registryB.obtain("job");
    assertThat(b.tryLock(10, TimeUnit.SECONDS)).isTrue();
    assertThat(b.fencingToken().orElseThrow().isNewerThan(old)).isTrue();
    // the old holder is told loudly, then releases quietly
    assertThatThrownBy(() -> a.tryLock(1, TimeUnit.SECONDS)).isInstanceOf(IllegalStateException.class);
    a.unlock();
    assertThat(a.fencingToken()).isEmpty();
    b.unlock();
    await().atMost(Duration.ofSeconds(10)).until(() -> clientA.connectionState().isConnected());
    assertThat(a.tryLock(10, TimeUnit.SECONDS)).isTrue();
    a.unlock();
  }

  @Test
  void executeLockedRunsUnderTheLock() throws Exception {
    AtomicBoolean heldInside = new AtomicBoolean();
    registryA.executeLocked("job", () -> heldInside.set(registryA.obtain("job").isHeldByCurrentThread()));
    assertThat(heldInside).isTrue();
    assertThat(registryA.obtain("job").isHeldByCurrentThread()).isFalse();
  }

  @Test
  void conditionsAreNotSupported() {
    assertThatThrownBy(() -> registryA.obtain("job").newCondition()).isInstanceOf(UnsupportedOperationException.class);
  }

  @Test
  void expiryForgetsOnlyIdleLocksUnusedLongEnough() throws Exception {
    AtomicLong now = new AtomicLong();
    CohortLockRegistry registry = new CohortLockRegistry(clientA, "/locks", now::get);
    CohortLock held = registry.obtain("held");
    registry.obtain("idle");
    held.lock();
    now.addAndGet(TimeUnit.SECONDS.toNanos(10));
    registry.obtain("fresh");
    registry.expireUnusedOlderThan(5_000);
    assertThat(registry.size()).isEqualTo(2); // "held" (in use) and "fresh" (recent)
    assertThat(registry.obtain("held")).isSameAs(held);
    held.unlock();
    now.addAndGet(TimeUnit.SECONDS.toNanos(10));
    registry.expireUnusedOlderThan(5_000);
    assertThat(registry.size()).isZero();
  }

  @Test
  void byDefaultIdlenessIsMeasuredOnTheClientsClock() throws InterruptedException {
    ManualTimeSource time = new ManualTimeSource();
    try (InMemoryBackend virtual = InMemoryBackend.builder().timeSource(time).build();
         Cohort client = Cohort.builder(virtual).timeSource(time).build()) {
      client.start();
      CohortLockRegistry registry = new CohortLockRegistry(client, "/locks");
      registry.obtain("idle");
      registry.expireUnusedOlderThan(5_000);
      assertThat(registry.size()).isEqualTo(1); // no virtual time has passed
      time.advance(Duration.ofSeconds(10));
      registry.expireUnusedOlderThan(5_000);
      assertThat(registry.size()).isZero();
    }
  }

  private int children(String path) throws InterruptedException {
    Cohort probe = Cohort.builder(backend).build();
    probe.start();
    try {
      return probe.blocking().getChildren(path, null).names().size();
    } finally {
      probe.close();
    }
  }
}
