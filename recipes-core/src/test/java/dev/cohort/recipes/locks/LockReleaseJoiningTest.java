package dev.cohort.recipes.locks;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.mockito.ArgumentMatchers.any;
import static org.mockito.ArgumentMatchers.anyList;
import static org.mockito.ArgumentMatchers.anyString;
import static org.mockito.Mockito.clearInvocations;
import static org.mockito.Mockito.doAnswer;
import static org.mockito.Mockito.never;
import static org.mockito.Mockito.times;
import static org.mockito.Mockito.verify;

import dev.cohort.inmemory.InMemoryFixture;
import dev.cohort.inmemory.ManualTimeSource;
import dev.cohort.recipes.Cohort;
import dev.cohort.recipes.DelayScheduler;
import dev.cohort.recipes.FencingToken;
import dev.cohort.recipes.ForcedReplies;
import dev.cohort.spi.Op;
import dev.cohort.spi.OpResult;
import dev.cohort.spi.Session;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * A lock's release held back for the client's write-join window and carried by the same client's
 * next acquire ({@link Cohort.Builder#writeJoinWindow}). The window is a test's to end: the clients'
 * scheduler keeps every task scheduled with the window's delay until {@link #windowsPass()} and runs
 * every other (retry backoff) at once. Sessions are Mockito mocks sending every call on to a real
 * in-memory session, so the tree and the watches are real and the test counts requests.
 */
class LockReleaseJoiningTest {

  private static final String NS = "/join";
  private static final String LOCK = "/l";
  private static final Duration WINDOW = Duration.ofMillis(7);

  private final InMemoryFixture fixture = new InMemoryFixture();
  private final List<Cohort> clients = new ArrayList<>();
  private final ExecutorService pool = Executors.newCachedThreadPool();
  private final List<ExecutorService> threads = new ArrayList<>();
  private final ConcurrentLinkedQueue<Runnable> windows = new ConcurrentLinkedQueue<>();
  /** The joining clients' clock, still unless a test moves it: every acquire follows its release at once. */
  private final ManualTimeSource clock = new ManualTimeSource();
  private final DelayScheduler scheduler = (delay, task) -> {
    if (delay.equals(WINDOW)) {
      windows.add(task);
    } else {
      pool.execute(task);
    }
  };

  @AfterEach
  void close() {
    threads.forEach(ExecutorService::shutdownNow);
    clients.forEach(Cohort::close);
    pool.shutdownNow();
    fixture.close();
  }

  /** Ends every write-join window open now: the releases still held go alone. */
  private void windowsPass() {
    Runnable task;
    while ((task = windows.poll()) != null) {
      task.run();
    }
  }

  private Cohort joiningClient(Session session) throws InterruptedException {
    Cohort client = ForcedReplies.clientOn(fixture, session,
        b -> b.namespace(NS).writeJoinWindow(WINDOW).scheduler(scheduler).timeSource(clock));
    clients.add(client);
    return client;
  }

  private Cohort plainClient() throws InterruptedException {
    Cohort client = Cohort.builder(fixture.backend()).namespace(NS).build();
    client.start();
    clients.add(client);
    return client;
  }

  /**
   * A first cycle on {@code lock}: its release goes at once (no acquire followed one yet), and the
   * acquire after it, at once, makes the next release wait to be joined.
   */
  private static FencingToken firstCycle(DistributedLock lock) throws Exception {
    lock.acquire();
    lock.release();
    return lock.acquire();
  }

  private List<String> queued() throws Exception {
    Session observer = fixture.openSession();
    try {
      return observer.getChildren(NS + LOCK).get(10, TimeUnit.SECONDS).names();
    } finally {
      observer.close();
    }
  }

  @Test
  void aReleaseAndTheSameClientsNextAcquireAreOneTransactionWithoutAListing() throws Exception {
    Session session = ForcedReplies.over(fixture.openSession());
    DistributedLock lock = new DistributedLock(joiningClient(session), LOCK);
    FencingToken first = firstCycle(lock);
    String firstNode = lock.ownedNodePath().orElseThrow();
    lock.release();
    assertEquals(1, queued().size(), "the release is held back for the window");
    clearInvocations(session);

    FencingToken second = lock.acquire();

    verify(session, times(1)).multi(anyList());
    verify(session, never()).getChildren(anyString(), any());
    verify(session, never()).create(anyString(), any(), any());
    assertTrue(second.isNewerThan(first));
    List<String> names = queued();
    assertEquals(1, names.size(), names.toString());
    assertFalse(firstNode.endsWith(names.get(0)), "the released node went in the same transaction");
    assertTrue(lock.ownedNodePath().orElseThrow().endsWith(names.get(0)));
    lock.release();
    windowsPass();
    assertEquals(List.of(), queued());
  }

  @Test
  void aReleaseNoAcquireFollowsGoesAloneWhenItsWindowPasses() throws Exception {
    DistributedLock a = new DistributedLock(joiningClient(ForcedReplies.over(fixture.openSession())), LOCK);
    DistributedLock b = new DistributedLock(plainClient(), LOCK);
    FencingToken aToken = firstCycle(a);
    a.release();
    assertTrue(b.tryLock().isEmpty(), "a's release is still held back");

    windowsPass();

    await().until(() -> queued().isEmpty());
    assertTrue(b.tryLock().orElseThrow().isNewerThan(aToken));
  }

  /**
   * b queued while a held; a releases and at once queues again, in one transaction: b was before
   * a's new node, takes over on the mark, and a waits behind b.
   */
  @Test
  void aWaiterThatQueuedDuringTheHoldIsServedBeforeTheHoldersNextAcquire() throws Exception {
    DistributedLock a = new DistributedLock(joiningClient(ForcedReplies.over(fixture.openSession())), LOCK);
    DistributedLock b = new DistributedLock(plainClient(), LOCK);
    ExecutorService aThread = thread(); // a lock's hold is its thread's
    FencingToken aToken = CompletableFuture.supplyAsync(() -> call(() -> firstCycle(a)), aThread).get(10, TimeUnit.SECONDS);
    ExecutorService bThread = thread();
    CompletableFuture<FencingToken> bGets = CompletableFuture.supplyAsync(() -> call(b::acquire), bThread);
    await().until(() -> b.parkedWaiters() == 1);
    CompletableFuture<FencingToken> aAgain = CompletableFuture.supplyAsync(() -> {
      a.release();
      return call(a::acquire);
    }, aThread);
    FencingToken bToken = bGets.get(10, TimeUnit.SECONDS);
    assertTrue(bToken.isNewerThan(aToken));
    assertEquals(1, b.wakeups(), "the mark handed b the lock without a listing");
    await().until(() -> a.parkedWaiters() == 1);
    assertFalse(aAgain.isDone(), "a waits behind b");
    assertTrue(CompletableFuture.supplyAsync(b::release, bThread).get(10, TimeUnit.SECONDS));
    assertTrue(aAgain.get(10, TimeUnit.SECONDS).isNewerThan(bToken));
  }

  /** A transaction that carries a release and whose reply is lost: the node is found, the lock held once. */
  @Test
  void aLostReplyOnTheJoinedTransactionLeavesOneNodeAndTheHold() throws Exception {
    Session real = fixture.openSession();
    Session session = ForcedReplies.over(real);
    AtomicBoolean armed = new AtomicBoolean();
    doAnswer(inv -> {
      List<Op> ops = inv.getArgument(0);
      CompletableFuture<List<OpResult>> applied = real.multi(ops);
      boolean joined = ops.stream().anyMatch(op -> op instanceof Op.Create);
      return joined && armed.compareAndSet(true, false)
          ? applied.thenCompose(ignored -> ForcedReplies.<List<OpResult>>lost(NS + LOCK))
          : applied;
    }).when(session).multi(anyList());
    DistributedLock lock = new DistributedLock(joiningClient(session), LOCK);
    DistributedLock other = new DistributedLock(plainClient(), LOCK);
    FencingToken first = firstCycle(lock);
    lock.release();
    armed.set(true);

    FencingToken second = lock.acquire();

    assertFalse(armed.get(), "the joined transaction's reply was lost");
    assertTrue(second.isNewerThan(first));
    assertEquals(1, queued().size(), "one node: the lost reply's, found again");
    assertTrue(lock.ownedNodePath().orElseThrow().endsWith(queued().get(0)));
    assertTrue(other.tryLock().isEmpty(), "held");
    lock.release();
    windowsPass();
    await().until(() -> queued().isEmpty());
    assertTrue(other.tryLock().isPresent());
  }

  /**
   * A blocking acquire sends the joined transaction on its own thread. Interrupted while it waits
   * for the reply, which then arrives (applied): the acquire throws, and neither the released node
   * nor the one the transaction made is left.
   */
  @Test
  void anAcquireInterruptedWhileItsJoinedTransactionIsInFlightLeavesNoNode() throws Exception {
    Session real = fixture.openSession();
    Session session = ForcedReplies.over(real);
    CompletableFuture<Void> replyMayGo = new CompletableFuture<>();
    java.util.concurrent.CountDownLatch sent = new java.util.concurrent.CountDownLatch(1);
    doAnswer(inv -> {
      List<Op> ops = inv.getArgument(0);
      if (ops.stream().noneMatch(op -> op instanceof Op.Create)) {
        return real.multi(ops);
      }
      sent.countDown();
      return replyMayGo.thenCompose(ignored -> real.multi(ops));
    }).when(session).multi(anyList());
    DistributedLock lock = new DistributedLock(joiningClient(session), LOCK);
    DistributedLock other = new DistributedLock(plainClient(), LOCK);
    ExecutorService holder = thread();
    CompletableFuture.supplyAsync(() -> call(() -> {
      firstCycle(lock);
      return lock.release();
    }), holder).get(10, TimeUnit.SECONDS);
    java.util.concurrent.atomic.AtomicReference<Thread> acquiring = new java.util.concurrent.atomic.AtomicReference<>();
    CompletableFuture<Throwable> outcome = CompletableFuture.supplyAsync(() -> {
      acquiring.set(Thread.currentThread());
      try {
        lock.acquire();
        return null;
      } catch (Throwable t) {
        return t;
      }
    }, holder);
    assertTrue(sent.await(10, TimeUnit.SECONDS), "the joined transaction went out");

    acquiring.get().interrupt();
    assertTrue(outcome.get(10, TimeUnit.SECONDS) instanceof InterruptedException);
    replyMayGo.complete(null);

    await().until(() -> queued().isEmpty());
    assertTrue(other.tryLock().isPresent(), "nothing of the interrupted acquire holds the lock");
  }

  /** The session expires while a release is held back: its window passes quietly, and the next acquire holds. */
  @Test
  void aReleaseHeldWhenTheSessionExpiresIsDroppedAndTheNextAcquireHolds() throws Exception {
    Session real = fixture.openSession();
    DistributedLock lock = new DistributedLock(joiningClient(ForcedReplies.over(real)), LOCK);
    DistributedLock other = new DistributedLock(plainClient(), LOCK);
    firstCycle(lock);
    lock.release();
    fixture.expire(real);
    await().until(() -> queued().isEmpty());
    windowsPass();

    FencingToken token = lock.tryAcquire(Duration.ofSeconds(10)).orElseThrow();

    assertEquals(1, queued().size());
    assertTrue(other.tryLock().isEmpty(), "held on the new session");
    assertTrue(lock.isHeldByCurrentThread());
    lock.release();
  }

  @Test
  void closingTheClientWithAReleaseHeldLeavesNothing() throws Exception {
    Cohort client = joiningClient(ForcedReplies.over(fixture.openSession()));
    DistributedLock lock = new DistributedLock(client, LOCK);
    DistributedLock other = new DistributedLock(plainClient(), LOCK);
    firstCycle(lock);
    lock.release();
    assertEquals(1, queued().size(), "held back");

    client.close();
    windowsPass();

    await().until(() -> queued().isEmpty());
    assertTrue(other.tryLock().isPresent());
    assertThrows(IllegalStateException.class, lock::acquire, "a closed client");
  }

  /**
   * A client that releases and only later acquires again stops paying the window: its next release
   * goes at once, and once it acquires promptly again, releases wait to be joined again.
   */
  @Test
  void onlyAReleaseFollowedPromptlyByAnAcquireMakesTheNextOneWait() throws Exception {
    DistributedLock lock = new DistributedLock(joiningClient(ForcedReplies.over(fixture.openSession())), LOCK);
    lock.acquire();
    lock.release();
    assertEquals(List.of(), queued(), "the first release goes at once");
    lock.acquire(); // at once after the release
    lock.release();
    assertEquals(1, queued().size(), "held back: the last release was followed at once");
    windowsPass();
    await().until(() -> queued().isEmpty());

    clock.advance(WINDOW.plusMillis(1)); // the next acquire comes late
    lock.acquire();
    lock.release();
    assertEquals(List.of(), queued(), "the last release was not followed promptly: this one goes at once");
    lock.acquire();
    lock.release();
    assertEquals(1, queued().size(), "followed promptly again: held back again");
    windowsPass();
  }

  @Test
  void aWindowOutsideZeroToTenMillisecondsIsRefused() {
    Cohort.Builder builder = Cohort.builder(fixture.backend());
    assertThrows(IllegalArgumentException.class, () -> builder.writeJoinWindow(Duration.ofMillis(11)));
    assertThrows(IllegalArgumentException.class, () -> builder.writeJoinWindow(Duration.ofNanos(-1)));
    assertEquals(builder, builder.writeJoinWindow(Duration.ZERO));
    assertEquals(Duration.ZERO, Cohort.builder(fixture.backend()).build().writeJoinWindow(),
        "the in-memory backend's writes cost no sync: no window by default");
  }

  private interface Call<T> {
    T call() throws Exception;
  }

  private static <T> T call(Call<T> call) {
    try {
      return call.call();
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  private ExecutorService thread() {
    ExecutorService thread = Executors.newSingleThreadExecutor();
    threads.add(thread);
    return thread;
  }
}
