package dev.cohort.recipes.locks;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.mockito.ArgumentMatchers.any;
import static org.mockito.ArgumentMatchers.anyInt;
import static org.mockito.ArgumentMatchers.anyList;
import static org.mockito.ArgumentMatchers.anyString;
import static org.mockito.ArgumentMatchers.eq;
import static org.mockito.Mockito.clearInvocations;
import static org.mockito.Mockito.doAnswer;
import static org.mockito.Mockito.never;
import static org.mockito.Mockito.times;
import static org.mockito.Mockito.verify;

import dev.cohort.inmemory.InMemoryFixture;
import dev.cohort.recipes.Cohort;
import dev.cohort.recipes.FencingToken;
import dev.cohort.recipes.ForcedReplies;
import dev.cohort.spi.CreateMode;
import dev.cohort.spi.Session;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The uncontended streak (see {@code SequentialQueue}): after a release that met no one, the same
 * session's next acquire sends its create alone and holds if its sequence is the very next one. The
 * requests are counted on one client's session, a Mockito mock that sends every call on to a real
 * in-memory session; the tree and watches are the real ones, and a test can hold back a delete.
 */
class LockStreakTest {

  private static final String LOCK = "/l";
  private static final String FULL = "/streak" + LOCK;

  private final InMemoryFixture fixture = new InMemoryFixture();
  private final List<Cohort> clients = new ArrayList<>();
  private final List<ExecutorService> threads = new ArrayList<>();

  @AfterEach
  void close() {
    threads.forEach(ExecutorService::shutdownNow);
    clients.forEach(Cohort::close);
    fixture.close();
  }

  private Cohort plainClient() throws InterruptedException {
    Cohort client = Cohort.builder(fixture.backend()).namespace("/streak").build();
    client.start();
    clients.add(client);
    return client;
  }

  private Cohort clientOn(Session session) throws InterruptedException {
    Cohort client = ForcedReplies.clientOn(fixture, session, b -> b.namespace("/streak"));
    clients.add(client);
    return client;
  }

  /** A thread of its own for {@code lock}, which keeps a hold per thread. */
  private final class Holder {
    private final DistributedLock lock;
    private final ExecutorService thread = Executors.newSingleThreadExecutor();

    Holder(DistributedLock lock) {
      this.lock = lock;
      threads.add(thread);
    }

    CompletableFuture<FencingToken> acquire() {
      return CompletableFuture.supplyAsync(() -> {
        try {
          return lock.acquire();
        } catch (InterruptedException e) {
          throw new IllegalStateException(e);
        }
      }, thread);
    }

    boolean release() throws Exception {
      return CompletableFuture.supplyAsync(lock::release, thread).get(10, TimeUnit.SECONDS);
    }
  }

  private List<String> queued() throws Exception {
    return fixture.openSession().getChildren(FULL).get(10, TimeUnit.SECONDS).names();
  }

  @Test
  void anUncontendedCycleAfterTheFirstIsOneCreateAndOneDelete() throws Exception {
    Session session = ForcedReplies.over(fixture.openSession());
    DistributedLock lock = new DistributedLock(clientOn(session), LOCK);
    lock.acquire(); // the first acquire lists: it knows nothing yet
    lock.release();
    await().until(() -> queued().isEmpty());
    clearInvocations(session);

    FencingToken previous = null;
    for (int i = 0; i < 5; i++) {
      FencingToken token = lock.acquire();
      assertTrue(previous == null || token.isNewerThan(previous));
      previous = token;
      assertTrue(lock.release());
    }

    await().until(() -> queued().isEmpty());
    verify(session, times(5)).create(anyString(), any(), eq(CreateMode.EPHEMERAL_SEQUENTIAL));
    verify(session, times(5)).delete(anyString(), anyInt());
    verify(session, never()).getChildren(anyString(), any());
    verify(session, never()).getData(anyString(), any());
    verify(session, never()).exists(anyString(), any());
    verify(session, never()).multi(anyList());
  }

  @Test
  void aCycleAfterAnotherSessionQueuedListsAndWaitsForThatHolder() throws Exception {
    Session session = ForcedReplies.over(fixture.openSession());
    DistributedLock a = new DistributedLock(clientOn(session), LOCK);
    DistributedLock b = new DistributedLock(plainClient(), LOCK);
    a.acquire();
    a.release(); // leaves a streak
    FencingToken bToken = b.acquire(); // breaks it
    clearInvocations(session);

    Holder aHolder = new Holder(a);
    CompletableFuture<FencingToken> aGets = aHolder.acquire();
    await().until(() -> a.parkedWaiters() == 1);
    assertFalse(aGets.isDone(), "b holds");
    verify(session, times(1)).getChildren(anyString(), any()); // the fallback listing

    assertTrue(b.release());
    assertTrue(aGets.get(10, TimeUnit.SECONDS).isNewerThan(bToken));
    assertTrue(aHolder.release());
  }

  /**
   * The released node's delete is held back (not yet applied) as the same session acquires again:
   * nobody else created a node, so the new one is next in line after a node of ours that is
   * released, and it holds at once. Another session arriving meanwhile queues behind both and waits
   * until the new hold is released, whenever the old delete lands.
   */
  @Test
  void aHoldTakenWhileTheReleasedNodeIsStillThereExcludesLaterContenders() throws Exception {
    Session real = fixture.openSession();
    Session session = ForcedReplies.over(real);
    CompletableFuture<Void> deleteMayGo = new CompletableFuture<>();
    AtomicInteger deletes = new AtomicInteger();
    doAnswer(inv -> {
      String path = inv.getArgument(0);
      int version = inv.getArgument(1);
      return deletes.getAndIncrement() == 1
          ? deleteMayGo.thenCompose(go -> real.delete(path, version)) // the second release waits
          : real.delete(path, version);
    }).when(session).delete(anyString(), anyInt());
    DistributedLock a = new DistributedLock(clientOn(session), LOCK);
    DistributedLock b = new DistributedLock(plainClient(), LOCK);
    a.acquire();
    a.release();
    await().until(() -> queued().isEmpty());
    a.acquire(); // on the streak
    a.release(); // its delete is held back
    clearInvocations(session);

    FencingToken aToken = a.tryAcquire(Duration.ofSeconds(10)).orElseThrow(); // while the released node is there
    assertEquals(2, queued().size(), "the released node and the new one");
    verify(session, never()).getChildren(anyString(), any());
    Holder bHolder = new Holder(b);
    CompletableFuture<FencingToken> bGets = bHolder.acquire();
    await().until(() -> b.parkedWaiters() == 1);
    deleteMayGo.complete(null);
    await().until(() -> queued().size() == 2); // a's new node and b's
    assertFalse(b.tryLock().isPresent(), "a holds");
    assertFalse(bGets.isDone(), "a holds, whenever its old node went");

    assertTrue(a.release());
    assertTrue(bGets.get(10, TimeUnit.SECONDS).isNewerThan(aToken));
    assertTrue(bHolder.release());
  }

  /**
   * The release's delete is lost before it was applied, and its retry is held back; meanwhile
   * another session queues behind the released node, and then the first session acquires again.
   * Its create is not the next in line, so it lists, and waits for the other session: the released
   * node still being there never lets two hold.
   */
  @Test
  void aLostDeleteThenAnotherSessionThenTheSameSessionNeverMakesTwoHolders() throws Exception {
    Session real = fixture.openSession();
    Session session = ForcedReplies.over(real);
    CompletableFuture<Void> retryMayGo = new CompletableFuture<>();
    AtomicInteger deletes = new AtomicInteger();
    doAnswer(inv -> {
      String path = inv.getArgument(0);
      int version = inv.getArgument(1);
      return switch (deletes.getAndIncrement()) {
        case 1 -> ForcedReplies.lost(path); // never reached the service
        case 2 -> retryMayGo.thenCompose(go -> real.delete(path, version));
        default -> real.delete(path, version);
      };
    }).when(session).delete(anyString(), anyInt());
    DistributedLock a = new DistributedLock(clientOn(session), LOCK);
    DistributedLock b = new DistributedLock(plainClient(), LOCK);
    a.acquire();
    a.release();
    await().until(() -> queued().isEmpty());
    a.acquire();
    a.release(); // lost, retried later
    await().until(() -> deletes.get() == 3);

    Holder bHolder = new Holder(b);
    CompletableFuture<FencingToken> bGets = bHolder.acquire();
    await().until(() -> b.parkedWaiters() == 1); // behind a's released node
    Holder aHolder = new Holder(a);
    CompletableFuture<FencingToken> aGets = aHolder.acquire();
    await().until(() -> a.parkedWaiters() == 1); // behind b
    assertFalse(aGets.isDone());
    assertFalse(bGets.isDone());

    retryMayGo.complete(null);
    FencingToken bToken = bGets.get(10, TimeUnit.SECONDS);
    assertFalse(aGets.isDone(), "b holds");
    assertTrue(bHolder.release());
    assertTrue(aGets.get(10, TimeUnit.SECONDS).isNewerThan(bToken));
    assertTrue(aHolder.release());
  }

  /** After the session changed, the streak of the old one is not used: the acquire lists. */
  @Test
  void aStreakDoesNotOutliveItsSession() throws Exception {
    Session real = fixture.openSession();
    Session first = ForcedReplies.over(real);
    Cohort client = clientOn(first);
    DistributedLock a = new DistributedLock(client, LOCK);
    DistributedLock b = new DistributedLock(plainClient(), LOCK);
    a.acquire();
    a.release();
    long old = client.sessionId();
    fixture.expire(real);
    await().until(() -> client.sessionId() != old && client.connectionState().isConnected());

    FencingToken aToken = a.acquire();
    assertFalse(b.tryLock().isPresent(), "a holds on its new session");
    assertTrue(a.release());
    assertTrue(b.tryLock().get().isNewerThan(aToken));
    verify(first, times(1)).getChildren(anyString(), any()); // the first session listed once only
  }
}
