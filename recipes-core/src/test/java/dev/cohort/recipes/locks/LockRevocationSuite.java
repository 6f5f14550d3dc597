package dev.cohort.recipes.locks;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cohort.recipes.Cohort;
import dev.cohort.recipes.FencingToken;
import dev.cohort.recipes.RecipeSuiteSupport;
import dev.cohort.spi.NoNodeException;
import dev.cohort.tck.FaultControl;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Revocation requests and participant listing of {@link DistributedLock}, on any backend: a holder
 * that opted in is told and may release; nobody else takes the lock because of a request; a
 * request for a node that is gone, or for a participant that did not opt in, fails with a typed
 * error and writes nothing.
 */
public abstract class LockRevocationSuite extends RecipeSuiteSupport {

  private static final String LOCK = "/revoke/l";

  private static String name(LockHold hold) {
    return hold.nodePath().substring(LOCK.length() + 1);
  }

  private static <T> T get(CompletableFuture<T> future) throws Exception {
    return future.get(10, TimeUnit.SECONDS);
  }

  @Test
  void aRevocableHolderIsAskedOnceReleasesAndTheWaiterTakesOver() throws Exception {
    DistributedLock a = new DistributedLock(newClient(), LOCK);
    List<FencingToken> asked = new CopyOnWriteArrayList<>();
    List<LockHold> holds = new CopyOnWriteArrayList<>();
    a.setRevocationListener((lock, token) -> {
      asked.add(token);
      holds.stream().filter(h -> h.fencingToken().equals(token)).forEach(LockHold::release);
    });
    LockHold aHold = get(a.acquireAsync());
    holds.add(aHold);
    DistributedLock b = new DistributedLock(newClient(), LOCK);
    CompletableFuture<LockHold> bWaits = b.acquireAsync();
    await().until(() -> b.parkedWaiters() == 1);

    get(b.requestRevocation(name(aHold)));

    LockHold bHold = get(bWaits);
    assertEquals(List.of(aHold.fencingToken()), asked);
    assertFalse(aHold.isValid());
    assertTrue(bHold.fencingToken().isNewerThan(aHold.fencingToken()));
    bHold.release();
    awaitChildren(LOCK, 0);
  }

  @Test
  void aRequestDoesNotLetTheWaiterBehindTakeTheLockWhileTheHolderKeepsIt() throws Exception {
    DistributedLock a = new DistributedLock(newClient(), LOCK);
    List<FencingToken> asked = new CopyOnWriteArrayList<>();
    a.setRevocationListener((lock, token) -> asked.add(token)); // told, but keeps the lock
    FencingToken aToken = a.acquire();
    DistributedLock b = new DistributedLock(newClient(), LOCK);
    CompletableFuture<LockHold> bWaits = b.acquireAsync();
    await().until(() -> b.parkedWaiters() == 1);
    String aNode = a.ownedNodePath().orElseThrow().substring(LOCK.length() + 1);

    get(b.requestRevocation(aNode));
    get(b.requestRevocation(aNode)); // a second request is not told again

    await().until(() -> asked.size() == 1 && b.parkedWaiters() == 1);
    assertEquals(List.of(aToken), asked);
    assertFalse(bWaits.isDone(), "a request must not hand the lock to the waiter behind");
    assertTrue(a.isHeldByCurrentThread());
    a.release();
    assertTrue(get(bWaits).fencingToken().isNewerThan(aToken));
    assertEquals(1, asked.size());
  }

  @Test
  void aRequestForAWaiterIsToldWhenItTakesTheLock() throws Exception {
    DistributedLock a = new DistributedLock(newClient(), LOCK);
    DistributedLock b = new DistributedLock(newClient(), LOCK);
    DistributedLock c = new DistributedLock(newClient(), LOCK);
    List<FencingToken> asked = new CopyOnWriteArrayList<>();
    b.setRevocationListener((lock, token) -> asked.add(token));
    a.acquire();
    CompletableFuture<LockHold> bWaits = b.acquireAsync();
    await().until(() -> b.parkedWaiters() == 1);
    CompletableFuture<LockHold> cWaits = c.acquireAsync();
    await().until(() -> c.parkedWaiters() == 1);
    LockParticipant bNode = a.participants().get(1);

    get(a.requestRevocation(bNode.nodeName()));

    await().until(() -> c.parkedWaiters() == 1 && c.wakeups() >= 1);
    assertFalse(cWaits.isDone(), "c watches b; a request to b must not hand c the lock");
    assertTrue(asked.isEmpty(), "b does not hold yet");
    a.release();
    LockHold bHold = get(bWaits);
    await().until(() -> asked.equals(List.of(bHold.fencingToken())));
    assertFalse(cWaits.isDone());
    bHold.release();
    get(cWaits).release();
  }

  @Test
  void participantsListTheHolderFirstAndTheWaitersInLine() throws Exception {
    DistributedLock a = new DistributedLock(newClient(), LOCK);
    DistributedLock b = new DistributedLock(newClient(), LOCK);
    b.setRevocationListener((lock, token) -> { });
    assertEquals(List.of(), a.participants());
    LockHold aHold = get(a.acquireAsync());
    CompletableFuture<LockHold> bWaits = b.acquireAsync();
    await().until(() -> b.parkedWaiters() == 1);
    List<LockParticipant> line = b.participants();
    assertEquals(2, line.size());
    assertEquals(name(aHold), line.get(0).nodeName());
    assertTrue(line.get(0).holder());
    assertFalse(line.get(0).revocable());
    assertFalse(line.get(1).holder());
    assertTrue(line.get(1).revocable());
    assertTrue(line.get(0).sequence() < line.get(1).sequence());
    aHold.release();
    LockHold bHold = get(bWaits);
    assertEquals(List.of(new LockParticipant(name(bHold), line.get(1).sequence(), true, true)), a.participants());
    bHold.release();
  }

  @Test
  void aRequestForANodeThatIsGoneFailsWithNoNodeException() throws Exception {
    DistributedLock a = new DistributedLock(newClient(), LOCK);
    a.setRevocationListener((lock, token) -> { });
    LockHold hold = get(a.acquireAsync());
    String gone = name(hold);
    hold.release();
    awaitChildren(LOCK, 0);
    ExecutionException e = assertThrows(ExecutionException.class, () -> get(a.requestRevocation(gone)));
    assertTrue(e.getCause() instanceof NoNodeException, e.getCause().toString());
    assertEquals(List.of(), childrenOf(LOCK), "the request created nothing");
  }

  @Test
  void aRequestForAParticipantThatDidNotOptInIsRefusedAndWritesNothing() throws Exception {
    DistributedLock a = new DistributedLock(newClient(), LOCK);
    LockHold hold = get(a.acquireAsync());
    DistributedLock b = new DistributedLock(newClient(), LOCK);
    assertThrows(IllegalArgumentException.class, () -> b.requestRevocation(name(hold)));
    assertThrows(IllegalArgumentException.class, () -> b.requestRevocation("no/such"));
    assertThrows(IllegalArgumentException.class, () -> b.requestRevocation(""));
    assertThrows(NullPointerException.class, () -> b.requestRevocation(null));
    assertTrue(inThread(() -> b.tryAcquire(Duration.ofMillis(30))).get(10, TimeUnit.SECONDS).isEmpty());
    assertTrue(hold.isValid());
    hold.release();
  }

  @Test
  void aRevocableHolderWhoseSessionExpiresIsNotToldAndTheWaiterTakesOver() throws Exception {
    requireFaults(FaultControl.EXPIRE);
    Cohort aClient = newClient();
    DistributedLock a = new DistributedLock(aClient, LOCK);
    List<FencingToken> asked = new CopyOnWriteArrayList<>();
    a.setRevocationListener((lock, token) -> asked.add(token));
    LockHold aHold = get(a.acquireAsync());
    DistributedLock b = new DistributedLock(newClient(), LOCK);
    CompletableFuture<LockHold> bWaits = b.acquireAsync();
    await().until(() -> b.parkedWaiters() == 1);
    fixture.expire(aClient.session());
    LockHold bHold = get(bWaits);
    ExecutionException e = assertThrows(ExecutionException.class, () -> get(b.requestRevocation(name(aHold))));
    assertTrue(e.getCause() instanceof NoNodeException, e.getCause().toString());
    assertTrue(asked.isEmpty());
    bHold.release();
  }

  @Test
  void aRevocableHolderThatIsDisconnectedStillHearsARequestMadeAfterItReconnects() throws Exception {
    requireFaults(FaultControl.DISCONNECT);
    Cohort aClient = newClient();
    DistributedLock a = new DistributedLock(aClient, LOCK);
    List<FencingToken> asked = new CopyOnWriteArrayList<>();
    a.setRevocationListener((lock, token) -> asked.add(token));
    LockHold aHold = get(a.acquireAsync());
    fixture.disconnect(aClient.session());
    fixture.reconnect(aClient.session());
    await().until(() -> aClient.connectionState().isConnected());
    DistributedLock b = new DistributedLock(newClient(), LOCK);
    get(b.requestRevocation(name(aHold)));
    await().until(() -> asked.equals(List.of(aHold.fencingToken())));
    aHold.release();
    awaitChildren(LOCK, 0);
  }

  @Test
  void aLostReplyOnTheRequestIsRetriedAndTheHolderIsToldOnce() throws Exception {
    requireFaults(FaultControl.LOSE_REPLY);
    DistributedLock a = new DistributedLock(newClient(), LOCK);
    List<FencingToken> asked = new CopyOnWriteArrayList<>();
    a.setRevocationListener((lock, token) -> asked.add(token));
    LockHold aHold = get(a.acquireAsync());
    Cohort bClient = newClient();
    DistributedLock b = new DistributedLock(bClient, LOCK);
    fixture.loseNextReply(bClient.session());
    get(b.requestRevocation(name(aHold)));
    await().until(() -> asked.size() == 1);
    assertEquals(List.of(aHold.fencingToken()), asked);
    aHold.release();
  }
}
