package dev.cohort.recipes;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cohort.inmemory.InMemoryBackend;
import dev.cohort.inmemory.ManualTimeSource;
import dev.cohort.recipes.leader.LeaderLatch;
import dev.cohort.recipes.leader.LeaderLatchListener;
import dev.cohort.recipes.leader.LeadershipTerm;
import dev.cohort.recipes.leader.SuspendPolicy;
import dev.cohort.recipes.locks.DistributedLock;
import dev.cohort.recipes.partition.Partition;
import dev.cohort.recipes.partition.PartitionClaimer;
import dev.cohort.recipes.partition.PartitionListener;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Ownership of a client that is cut off ends within the session timeout of its last contact (the
 * moment it was SUSPENDED), without waiting for a reconnect: the service has expired the session by
 * then and handed ownership on, so the cut-off owner must stop believing it owns. On the in-memory
 * backend, with one virtual clock for the backend and the clients; only the recipes' public API.
 */
class CutOffOwnershipTest {
  private static final Duration TIMEOUT = Duration.ofSeconds(10);

  private final ManualTimeSource clock = new ManualTimeSource();
  private InMemoryBackend backend;
  private Cohort cutOff;
  private Cohort other;

  @BeforeEach
  void start() throws InterruptedException {
    backend = InMemoryBackend.builder().timeSource(clock).build();
    cutOff = client();
    other = client();
  }

  @AfterEach
  void stop() {
    cutOff.close();
    other.close();
    backend.close();
  }

  private Cohort client() throws InterruptedException {
    Cohort c = Cohort.builder(backend).namespace("/cut").timeSource(clock).sessionTimeout(TIMEOUT).build();
    c.start();
    return c;
  }

  /** Cuts {@link #cutOff} off and lets all but a millisecond of its session timeout pass. */
  private void cutOffForAlmostTheTimeout() {
    backend.faults().disconnect(cutOff.session());
    await().until(() -> cutOff.connectionState() == ConnectionState.SUSPENDED);
    clock.advance(TIMEOUT.minusMillis(1));
  }

  @Test
  void aLockHolderCutOffStopsHoldingWithinTheSessionTimeout() throws Exception {
    DistributedLock lock = new DistributedLock(cutOff, "/lock");
    List<OwnershipListener.Change> changes = new CopyOnWriteArrayList<>();
    lock.addOwnershipListener((change, token) -> changes.add(change));
    FencingToken token = lock.acquire();
    assertTrue(lock.isHeldByCurrentThread());

    cutOffForAlmostTheTimeout();
    DistributedLock theirs = new DistributedLock(other, "/lock");
    CompletableFuture<Optional<FencingToken>> taken = CompletableFuture.supplyAsync(() -> {
      try {
        return theirs.tryAcquire(Duration.ofMinutes(5));
      } catch (InterruptedException e) {
        throw new IllegalStateException(e);
      }
    });
    assertFalse(taken.isDone(), "the service has not expired the holder yet");

    clock.advance(Duration.ofMillis(1)); // the session timeout since the last contact has passed
    assertFalse(lock.isHeldByCurrentThread(), "the cut-off holder no longer holds once the timeout passed");
    await().until(() -> changes.contains(OwnershipListener.Change.LOST));
    Optional<FencingToken> theirToken = taken.get(30, TimeUnit.SECONDS);
    assertTrue(theirToken.isPresent(), "the other client holds the lock now");
    assertTrue(theirToken.get().compareTo(token) > 0, "with a newer token");
    assertFalse(lock.isHeldByCurrentThread(), "one holder at a time");
    lock.release(); // a hold ended by session loss releases quietly
  }

  @Test
  void aKeepUntilLostLeaderCutOffStopsLeadingWithinTheSessionTimeout() throws Exception {
    LeaderLatch mine = LeaderLatch.builder(cutOff, "/leader").id("cut-off")
        .suspendPolicy(SuspendPolicy.KEEP_UNTIL_LOST).build();
    List<String> heard = new CopyOnWriteArrayList<>();
    mine.addListener(new LeaderLatchListener() {
      @Override
      public void isLeader(LeadershipTerm term) {
        heard.add("isLeader");
      }

      @Override
      public void notLeader(LeadershipTerm term) {
        heard.add("notLeader");
      }
    });
    mine.start();
    assertTrue(mine.await(Duration.ofSeconds(30)));
    LeaderLatch theirs = LeaderLatch.builder(other, "/leader").id("other")
        .suspendPolicy(SuspendPolicy.KEEP_UNTIL_LOST).build();
    theirs.start();

    cutOffForAlmostTheTimeout();
    assertTrue(mine.hasLeadership(), "KEEP_UNTIL_LOST keeps leading while the session may be alive");
    assertFalse(theirs.hasLeadership());

    clock.advance(Duration.ofMillis(1));
    await().until(() -> !mine.hasLeadership());
    await().until(theirs::hasLeadership);
    assertFalse(mine.hasLeadership(), "never two leaders: the cut-off one stopped without reconnecting");
    await().until(() -> heard.equals(List.of("isLeader", "notLeader")));
    assertEquals(ConnectionState.RECONNECTED, await().until(cutOff::connectionState, s -> s == ConnectionState.RECONNECTED));
    mine.close();
    theirs.close();
  }

  @Test
  void aPartitionOwnerCutOffIsToldItsPartitionsAreRevokedWithinTheSessionTimeout() throws Exception {
    PartitionClaimer.definePartition(other, "/parts", "p0", new byte[0]);
    List<String> revoked = new CopyOnWriteArrayList<>();
    PartitionClaimer mine = PartitionClaimer.builder(cutOff, "/parts", "cut-off", new PartitionListener() {
      @Override
      public void assigned(Partition partition) {}

      @Override
      public void revoked(String partitionId) {
        revoked.add(partitionId);
      }
    }).start();
    await().until(() -> mine.owned().equals(Set.of("p0")));

    cutOffForAlmostTheTimeout();
    assertEquals(Set.of("p0"), mine.owned(), "still owned while the session may be alive");
    assertEquals(List.of(), revoked);
    clock.advance(Duration.ofMillis(1));
    await().until(() -> revoked.equals(List.of("p0")));
    mine.close();
  }
}
