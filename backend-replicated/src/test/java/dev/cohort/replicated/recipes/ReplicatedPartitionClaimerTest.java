package dev.cohort.replicated.recipes;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.cohort.recipes.Cohort;
import dev.cohort.recipes.partition.Partition;
import dev.cohort.recipes.partition.PartitionClaimer;
import dev.cohort.recipes.partition.PartitionClaimerSuite;
import dev.cohort.recipes.partition.PartitionListener;
import dev.cohort.replicated.ReplicatedFaults;
import dev.cohort.tck.BackendFixture;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The partition claimer suite on three replicas, and the claimer under the replicated backend's own faults. */
class ReplicatedPartitionClaimerTest extends PartitionClaimerSuite {
  private static final String ROOT = "/partitions-faults";
  private static final int PARTITIONS = 6;

  private ReplicatedRecipeFixture replicated;
  private final List<AutoCloseable> own = new CopyOnWriteArrayList<>();

  @Override
  protected BackendFixture newFixture() {
    replicated = new ReplicatedRecipeFixture();
    return replicated;
  }

  @AfterEach
  void closeOwn() throws Exception {
    for (AutoCloseable c : own) {
      c.close();
    }
  }

  private ReplicatedFaults faults() {
    return replicated.backend().faults();
  }

  private Cohort client() throws InterruptedException {
    Cohort client = Cohort.builder(replicated.backend()).sessionTimeout(Duration.ofSeconds(10)).build();
    client.start();
    own.add(client);
    return client;
  }

  /** Ownership as the members' listeners report it; an assignment over a live owner is a violation. */
  private final Map<String, String> owner = new ConcurrentHashMap<>();
  private final Map<String, Long> lastToken = new ConcurrentHashMap<>();
  private final List<String> violations = new CopyOnWriteArrayList<>();

  private PartitionListener listener(String member) {
    return new PartitionListener() {
      @Override
      public void assigned(Partition partition) {
        String previous = owner.putIfAbsent(partition.id(), member);
        if (previous != null) {
          violations.add(partition.id() + " assigned to " + member + " while " + previous + " owns it");
        }
        Long last = lastToken.put(partition.id(), partition.fencingToken().value());
        if (last != null && last >= partition.fencingToken().value()) {
          violations.add(partition.id() + " token did not grow: " + last + " then " + partition.fencingToken().value());
        }
      }

      @Override
      public void revoked(String partitionId) {
        owner.remove(partitionId, member);
      }
    };
  }

  @Test
  void everyPartitionHasOneOwnerThroughANetworkPartitionThatCutsOffTheLeader() throws Exception {
    Cohort admin = client();
    for (int i = 0; i < PARTITIONS; i++) {
      PartitionClaimer.definePartition(admin, ROOT, "p" + i, new byte[0]);
    }
    List<PartitionClaimer> claimers = new ArrayList<>();
    for (int m = 0; m < 3; m++) {
      PartitionClaimer claimer = PartitionClaimer.builder(client(), ROOT, "m" + m, listener("m" + m)).start();
      own.add(0, claimer);
      claimers.add(claimer);
    }
    await().atMost(Duration.ofSeconds(20)).until(() -> owner.size() == PARTITIONS
        && claimers.stream().allMatch(c -> c.owned().size() == PARTITIONS / 3));

    int leader = await().atMost(Duration.ofSeconds(10)).until(() -> faults().leader(), l -> l.isPresent()).getAsInt();
    int[] majority = IntStream.rangeClosed(1, 3).filter(r -> r != leader).toArray();
    faults().partition(new int[] {leader}, majority);
    await().atMost(Duration.ofSeconds(20))
        .until(() -> faults().leader().isPresent() && faults().leader().getAsInt() != leader);
    // A fourth member joins on the majority side while the old leader is cut off: a rebalance
    // runs across the fault.
    PartitionClaimer late = PartitionClaimer.builder(client(), ROOT, "m3", listener("m3")).start();
    own.add(0, late);
    claimers.add(late);
    faults().heal();

    await().atMost(Duration.ofSeconds(30)).until(() -> owner.size() == PARTITIONS
        && claimers.stream().mapToInt(c -> c.owned().size()).sum() == PARTITIONS
        && claimers.stream().allMatch(c -> c.owned().size() >= 1));
    assertEquals(List.of(), violations);
    for (PartitionClaimer c : claimers) {
      for (String p : c.owned()) {
        assertEquals(c.memberId(), owner.get(p), "the listeners and the claimer agree on " + p);
      }
    }
  }
}
