package dev.cohort.recipes.locks;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.mockito.ArgumentMatchers.any;
import static org.mockito.ArgumentMatchers.anyList;
import static org.mockito.ArgumentMatchers.eq;
import static org.mockito.Mockito.doAnswer;
import static org.mockito.Mockito.times;
import static org.mockito.Mockito.verify;

import dev.cohort.inmemory.InMemoryFixture;
import dev.cohort.recipes.Cohort;
import dev.cohort.recipes.FencingToken;
import dev.cohort.recipes.ForcedReplies;
import dev.cohort.spi.Op;
import dev.cohort.spi.OpResult;
import dev.cohort.spi.Session;
import dev.cohort.spi.WatchEvent;
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
 * The exclusive lock's release signal, watched on the requests one client's session receives: a
 * Mockito mock that sends every call on to a real in-memory session, so the tree and the watches are
 * the real ones and the test can count listings and lose a reply.
 */
class LockReleaseSignalTest {

  private static final String LOCK = "/l";

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
    Cohort client = Cohort.builder(fixture.backend()).namespace("/signal").build();
    client.start();
    clients.add(client);
    return client;
  }

  private Cohort clientOn(Session session) throws InterruptedException {
    Cohort client = ForcedReplies.clientOn(fixture, session, b -> b.namespace("/signal"));
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

    /** Releases on the holding thread, once its acquire has returned. */
    boolean release() throws Exception {
      return CompletableFuture.supplyAsync(lock::release, thread).get(10, TimeUnit.SECONDS);
    }
  }

  /**
   * c queues behind a holder and another waiter. Each release hands the lock on through the watch
   * alone: c lists the queue once, together with its create, and never again.
   */
  @Test
  void aWaiterQueuedBehindOthersTakesOverOnItsPredecessorsReleaseWithoutListingAgain() throws Exception {
    Session cSession = ForcedReplies.over(fixture.openSession());
    DistributedLock a = new DistributedLock(plainClient(), LOCK);
    DistributedLock b = new DistributedLock(plainClient(), LOCK);
    DistributedLock c = new DistributedLock(clientOn(cSession), LOCK);
    FencingToken aToken = a.acquire();
    Holder bHolder = new Holder(b);
    CompletableFuture<FencingToken> bGets = bHolder.acquire();
    await().until(() -> b.parkedWaiters() == 1);
    CompletableFuture<FencingToken> cGets = new Holder(c).acquire();
    await().until(() -> c.parkedWaiters() == 1);

    a.release();
    FencingToken bToken = bGets.get(10, TimeUnit.SECONDS);
    assertTrue(bToken.isNewerThan(aToken));
    assertFalse(cGets.isDone(), "c waits while b holds");
    assertTrue(bHolder.release());

    assertTrue(cGets.get(10, TimeUnit.SECONDS).isNewerThan(bToken));
    assertEquals(1, c.wakeups(), "one watch event handed c the lock");
    verify(cSession, times(1)).getChildren(eq("/signal" + LOCK), any());
  }

  /** The first event of a one-shot watch on the lock's only node, set by another session. */
  private CompletableFuture<WatchEvent.Type> watchTheHoldersNode() throws Exception {
    Session observer = fixture.openSession();
    List<String> names = observer.getChildren("/signal" + LOCK).get().names();
    assertEquals(1, names.size(), names.toString());
    CompletableFuture<WatchEvent.Type> first = new CompletableFuture<>();
    assertTrue(observer.exists("/signal" + LOCK + "/" + names.get(0), e -> first.complete(e.type())).get() != null);
    return first;
  }

  /** Marking costs a multi, so a holder that met no contention releases with a plain delete. */
  @Test
  void onlyAHolderThatMetContentionMarksItsRelease() throws Exception {
    DistributedLock a = new DistributedLock(plainClient(), LOCK);
    DistributedLock b = new DistributedLock(plainClient(), LOCK);
    a.acquire();
    CompletableFuture<WatchEvent.Type> aGoes = watchTheHoldersNode();
    assertTrue(a.release());
    assertEquals(WatchEvent.Type.NODE_DELETED, aGoes.get(10, TimeUnit.SECONDS), "a was alone: a plain delete");

    a.acquire();
    Holder bHolder = new Holder(b);
    CompletableFuture<FencingToken> bGets = bHolder.acquire();
    await().until(() -> b.parkedWaiters() == 1);
    assertTrue(a.release());
    bGets.get(10, TimeUnit.SECONDS);
    CompletableFuture<WatchEvent.Type> bGoes = watchTheHoldersNode();
    assertTrue(bHolder.release());
    assertEquals(WatchEvent.Type.NODE_DATA_CHANGED, bGoes.get(10, TimeUnit.SECONDS), "b waited: a marked release");
  }

  /**
   * The release multi's reply is lost after it was applied: the retry finds the node gone, the
   * release counts as done, and the waiter behind was already handed the lock by the first attempt.
   */
  @Test
  void aLostReplyOnTheReleaseLeavesTheLockFreeAndHandsItOn() throws Exception {
    Session real = fixture.openSession();
    Session aSession = ForcedReplies.over(real);
    AtomicInteger releases = new AtomicInteger();
    doAnswer(inv -> {
      List<Op> ops = inv.getArgument(0);
      CompletableFuture<List<OpResult>> applied = real.multi(ops);
      return releases.getAndIncrement() == 0
          ? applied.thenCompose(ignored -> ForcedReplies.<List<OpResult>>lost("/signal" + LOCK))
          : applied;
    }).when(aSession).multi(anyList());
    DistributedLock x = new DistributedLock(plainClient(), LOCK);
    DistributedLock a = new DistributedLock(clientOn(aSession), LOCK);
    DistributedLock b = new DistributedLock(plainClient(), LOCK);
    x.acquire();
    Holder aHolder = new Holder(a); // a waits for x, so its release carries the mark: a multi
    CompletableFuture<FencingToken> aGets = aHolder.acquire();
    await().until(() -> a.parkedWaiters() == 1);
    Holder bHolder = new Holder(b);
    CompletableFuture<FencingToken> bGets = bHolder.acquire();
    await().until(() -> b.parkedWaiters() == 1);
    assertTrue(x.release());
    FencingToken aToken = aGets.get(10, TimeUnit.SECONDS);

    assertTrue(aHolder.release());

    assertTrue(bGets.get(10, TimeUnit.SECONDS).isNewerThan(aToken));
    await().until(() -> releases.get() == 2); // the retry went out and found the node gone
    assertTrue(bHolder.release());
    Session observer = fixture.openSession();
    await().until(() -> observer.getChildren("/signal" + LOCK).get().names().isEmpty());
    assertTrue(a.tryLock().isPresent(), "the lock is free again");
  }
}
