package dev.cohort.replicated.recipes;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cohort.recipes.Cohort;
import dev.cohort.recipes.FencingToken;
import dev.cohort.recipes.locks.DistributedLock;
import dev.cohort.recipes.locks.DistributedLockSuite;
import dev.cohort.recipes.OwnershipListener;
import dev.cohort.replicated.ReplicatedFaults;
import dev.cohort.tck.BackendFixture;
import java.time.Duration;
import java.util.List;
import java.util.OptionalLong;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/** The distributed lock suite on three replicas, and the lock under the replicated backend's own faults. */
class ReplicatedDistributedLockTest extends DistributedLockSuite {
  private static final String LOCK = "/locks/replicated";

  @Override
  protected BackendFixture newFixture() {
    return new ReplicatedRecipeFixture();
  }

  @Override
  protected OptionalLong watchEventsDelivered() {
    return OptionalLong.of(((ReplicatedRecipeFixture) fixture).backend().watchEventsDelivered());
  }

  private ReplicatedFaults faults() {
    return ((ReplicatedRecipeFixture) fixture).backend().faults();
  }

  /** Crashes the replica that leads and waits until another one leads; returns the crashed one. */
  private int crashLeader() {
    int leader = await().atMost(Duration.ofSeconds(10)).until(() -> faults().leader(), l -> l.isPresent()).getAsInt();
    faults().crash(leader);
    await().atMost(Duration.ofSeconds(10))
        .until(() -> faults().leader().isPresent() && faults().leader().getAsInt() != leader);
    return leader;
  }

  @Test
  void aHolderKeepsItsLockAndFencingTokenThroughALeaderCrashAndASessionMove() throws Exception {
    Cohort holderClient = newClient();
    DistributedLock holder = new DistributedLock(holderClient, LOCK);
    List<OwnershipListener.Change> changes = new CopyOnWriteArrayList<>();
    holder.addOwnershipListener((change, token) -> changes.add(change));
    FencingToken token = holder.acquire();
    long sessionId = holderClient.sessionId();
    DistributedLock contender = new DistributedLock(newClient(), LOCK);
    CompletableFuture<FencingToken> waiting = inThread(() -> {
      FencingToken t = contender.acquire();
      contender.release();
      return t;
    });
    awaitChildren(LOCK, 2);

    int crashed = crashLeader();
    int from = faults().replicaOf(holderClient.session());
    int to = IntStream.rangeClosed(1, 3).filter(r -> r != from && r != crashed).findFirst().getAsInt();
    faults().moveSession(holderClient.session(), to);
    // Connected again on a live replica: `to`, or the next one if `to` did not answer in time (a
    // session moves on through the replicas as a ZooKeeper client moves through its connect
    // string; on a loaded machine `to`, busy with the new leader, sometimes did not).
    await().atMost(Duration.ofSeconds(10))
        .until(() -> faults().replicaOf(holderClient.session()) != crashed && holderClient.session().state().isConnected());
    faults().restart(crashed);

    assertEquals(sessionId, holderClient.sessionId(), "the session survived the crash and the move");
    assertTrue(holder.isHeldByCurrentThread(), "the hold survived the crash and the move");
    assertEquals(token, holder.currentToken().orElseThrow(), "same term, same fencing token");
    assertFalse(waiting.isDone(), "the contender must not get the lock while it is held");
    assertEquals(2, childrenOf(LOCK).size(), "both lock nodes survived");
    assertFalse(changes.contains(OwnershipListener.Change.LOST), "the hold was never lost: " + changes);

    assertTrue(holder.release());
    FencingToken next = waiting.get(20, TimeUnit.SECONDS);
    assertTrue(next.isNewerThan(token), "the next holder's token " + next + " must be above " + token);
    awaitChildren(LOCK, 0);
  }
}
