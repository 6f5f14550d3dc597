package dev.cohort.recipes;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cohort.recipes.leader.LeaderLatch;
import dev.cohort.recipes.leader.LeaderSelector;
import dev.cohort.recipes.locks.DistributedLock;
import dev.cohort.recipes.locks.Lease;
import dev.cohort.recipes.locks.Semaphore;
import dev.cohort.recipes.partition.Partition;
import dev.cohort.recipes.partition.PartitionClaimer;
import dev.cohort.recipes.partition.PartitionListener;
import dev.cohort.spi.BadVersionException;
import dev.cohort.spi.CoordinationException;
import dev.cohort.spi.CreateMode;
import dev.cohort.spi.NoNodeException;
import dev.cohort.spi.Op;
import dev.cohort.tck.FaultControl;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The ownership checks of locks, leases, leadership terms and partition claims: a multi with the
 * check writes while the ownership lasts, and fails atomically, writing nothing, once it ended.
 */
public abstract class OwnershipCheckSuite extends RecipeSuiteSupport {

  private static final Duration WAIT = Duration.ofSeconds(20);

  /** A multi of {@code checks} then a create of {@code path}; the failure's cause, or null. */
  private static Throwable guardedCreate(Cohort c, List<Op> checks, String path) throws Exception {
    List<Op> ops = new ArrayList<>(checks);
    ops.add(Op.create(path, new byte[0], CreateMode.PERSISTENT));
    try {
      c.async().multi(ops).get(10, TimeUnit.SECONDS);
      return null;
    } catch (ExecutionException e) {
      return e.getCause();
    }
  }

  private static void ensureDir(Cohort c) throws Exception {
    c.blocking().createWithParents("/guarded/.keep", new byte[0], CreateMode.PERSISTENT);
  }

  @Test
  public void lockCheckPassesWhileHeldAndFailsAtomicallyAfterRelease() throws Exception {
    Cohort c = newClient();
    ensureDir(c);
    DistributedLock lock = new DistributedLock(c, "/locks/a");
    lock.acquire();
    Op check = lock.ownershipCheck();
    String node = lock.ownedNodePath().orElseThrow();

    assertEquals(null, guardedCreate(c, List.of(check), "/guarded/while-held"));
    assertTrue(exists("/guarded/while-held"));

    lock.release();
    await().atMost(WAIT).until(() -> !exists(node));

    assertInstanceOf(NoNodeException.class, guardedCreate(c, List.of(check), "/guarded/after-release"));
    assertFalse(exists("/guarded/after-release"));
    assertThrows(IllegalMonitorStateException.class, lock::ownershipCheck);
  }

  @Test
  public void leaseCheckFailsAtomicallyAfterItsSessionExpired() throws Exception {
    requireFaults(FaultControl.EXPIRE);
    Cohort c = newClient();
    ensureDir(c);
    Lease lease = new Semaphore(c, "/sem/a", 1).acquire();
    Op check = lease.ownershipCheck();
    assertEquals(null, guardedCreate(c, List.of(check), "/guarded/while-held"));
    long first = c.sessionId();

    fixture.expire(c.session());
    await().atMost(WAIT).until(() -> c.sessionId() != first && c.connectionState().isConnected());

    assertInstanceOf(NoNodeException.class, guardedCreate(c, List.of(check), "/guarded/after-expiry"));
    assertFalse(exists("/guarded/after-expiry"));
    assertFalse(lease.isValid());
  }

  @Test
  public void leadershipCheckFailsAtomicallyOnceLeadershipIsGivenUp() throws Exception {
    Cohort c = newClient();
    ensureDir(c);
    LeaderLatch latch = LeaderLatch.builder(c, "/leader").build();
    latch.start();
    assertTrue(latch.await(WAIT));
    Op check = latch.ownershipCheck();
    assertEquals(null, guardedCreate(c, List.of(check), "/guarded/while-leading"));
    String node = latch.ownedNodePath().orElseThrow();

    latch.close();
    await().atMost(WAIT).until(() -> !exists(node));

    assertInstanceOf(NoNodeException.class, guardedCreate(c, List.of(check), "/guarded/after-close"));
    assertFalse(exists("/guarded/after-close"));
    assertThrows(IllegalStateException.class, latch::ownershipCheck);
  }

  @Test
  public void selectorCheckPassesInTheCallbackAndFailsAtomicallyAfterItReturned() throws Exception {
    Cohort c = newClient();
    ensureDir(c);
    CompletableFuture<Op> checkInTerm = new CompletableFuture<>();
    CompletableFuture<Throwable> writeInTerm = new CompletableFuture<>();
    LeaderSelector[] selector = new LeaderSelector[1];
    selector[0] = LeaderSelector.builder(c, "/selector", term -> {
      Op check = selector[0].ownershipCheck();
      checkInTerm.complete(check);
      try {
        writeInTerm.complete(guardedCreate(c, List.of(check), "/guarded/in-term"));
      } catch (Exception e) {
        writeInTerm.completeExceptionally(e);
      }
    }).build();
    selector[0].start();
    assertEquals(null, writeInTerm.get(20, TimeUnit.SECONDS));
    Op check = checkInTerm.get();
    await().atMost(WAIT).until(() -> !exists(check.path()));

    assertInstanceOf(NoNodeException.class, guardedCreate(c, List.of(check), "/guarded/after-term"));
    assertFalse(exists("/guarded/after-term"));
    assertThrows(IllegalStateException.class, selector[0]::ownershipCheck);
    selector[0].close();
  }

  @Test
  public void partitionChecksFailAtomicallyOnceAnotherMemberClaimedThePartition() throws Exception {
    Cohort admin = newClient();
    ensureDir(admin);
    PartitionClaimer.definePartition(admin, "/parts", "p1", "work".getBytes(StandardCharsets.UTF_8));
    Map<String, Partition> ofA = new ConcurrentHashMap<>();
    Map<String, Partition> ofB = new ConcurrentHashMap<>();
    Cohort a = newClient();
    Cohort b = newClient();
    PartitionClaimer claimerA = PartitionClaimer.builder(a, "/parts", "a", recorder(ofA)).start();
    await().atMost(WAIT).until(() -> ofA.containsKey("p1"));
    List<Op> checks = ofA.get("p1").ownershipChecks();
    assertEquals(2, checks.size());
    assertEquals(null, guardedCreate(a, checks, "/guarded/while-owned"));
    PartitionClaimer claimerB = PartitionClaimer.builder(b, "/parts", "b", recorder(ofB)).start();

    // A leaves; B claims p1: an owner node stands at the same path again.
    claimerA.close();
    await().atMost(WAIT).until(() -> ofB.containsKey("p1"));

    Throwable refused = guardedCreate(a, checks, "/guarded/after-loss");
    assertInstanceOf(BadVersionException.class, refused, String.valueOf(refused));
    assertFalse(exists("/guarded/after-loss"));
    // The owner-node check alone would not have told: it passes on B's node.
    assertEquals(null, guardedCreate(a, List.of(checks.get(1)), "/guarded/owner-check-alone"));
    claimerB.close();
  }

  private static PartitionListener recorder(Map<String, Partition> owned) {
    return new PartitionListener() {
      @Override
      public void assigned(Partition partition) {
        owned.put(partition.id(), partition);
      }

      @Override
      public void revoked(String partitionId) {
        owned.remove(partitionId);
      }
    };
  }

  @Test
  public void checksOfDifferentLocksAreIndependent() throws Exception {
    Cohort c = newClient();
    ensureDir(c);
    DistributedLock one = new DistributedLock(c, "/locks/one");
    DistributedLock two = new DistributedLock(c, "/locks/two");
    one.acquire();
    two.acquire();
    Op checkOne = one.ownershipCheck();
    Op checkTwo = two.ownershipCheck();
    one.release();
    String gone = checkOne.path();
    await().atMost(WAIT).until(() -> !exists(gone));

    Throwable refused = guardedCreate(c, List.of(checkTwo, checkOne), "/guarded/both");
    assertInstanceOf(CoordinationException.class, refused);
    assertEquals(1, ((CoordinationException) refused).opIndex(), "the released lock's check refused it");
    assertFalse(exists("/guarded/both"));
    two.release();
  }
}
