package dev.cohort.recipes.partition;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeSet;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import org.junit.jupiter.api.Test;

class PartitionAssignmentTest {

  /** A random snapshot: partitions, live members, and owners that may include dead members. */
  record Snapshot(List<String> partitions, List<String> members, Map<String, String> owners) {}

  @Provide
  Arbitrary<Snapshot> snapshots() {
    Arbitrary<Integer> partitionCount = Arbitraries.integers().between(0, 40);
    Arbitrary<Integer> memberCount = Arbitraries.integers().between(1, 7);
    Arbitrary<Long> seeds = Arbitraries.longs();
    return Combinators.combine(partitionCount, memberCount, seeds).as((p, n, seed) -> {
      Random random = new Random(seed);
      List<String> partitions = new ArrayList<>();
      for (int i = 0; i < p; i++) {
        partitions.add(String.format("p%03d", i));
      }
      List<String> members = new ArrayList<>();
      for (int i = 0; i < n; i++) {
        members.add("m" + i);
      }
      Map<String, String> owners = new HashMap<>();
      for (String part : partitions) {
        int pick = random.nextInt(n + 2); // n = unowned, n+1 = a dead member
        if (pick < n) {
          owners.put(part, members.get(pick));
        } else if (pick == n + 1) {
          owners.put(part, "dead");
        }
      }
      return new Snapshot(partitions, members, owners);
    });
  }

  @Property(tries = 300)
  void everyLiveMemberGetsFloorOrCeilingOfItsShare(@ForAll("snapshots") Snapshot s) {
    Map<String, String> target = PartitionAssignment.assign(s.partitions(), s.members(), s.owners());

    assertEquals(new TreeSet<>(s.partitions()), target.keySet(), "every partition gets a target");
    int p = s.partitions().size();
    int n = s.members().size();
    Map<String, Integer> counts = counts(target, s.members());
    int atCeiling = 0;
    for (int c : counts.values()) {
      assertTrue(c == p / n || c == (p + n - 1) / n, "count " + c + " for P=" + p + " N=" + n);
      if (c > p / n) {
        atCeiling++;
      }
    }
    assertEquals(p % n, atCeiling, "exactly P mod N members get the larger share");
  }

  @Property(tries = 300)
  void movesBetweenLiveMembersAreTheMinimumAnyBalancedAssignmentAllows(@ForAll("snapshots") Snapshot s) {
    Map<String, String> target = PartitionAssignment.assign(s.partitions(), s.members(), s.owners());

    int moved = PartitionAssignment.moves(s.owners(), target, s.members());
    assertEquals(bruteForceMinimumMoves(s), moved);
  }

  @Property(tries = 300)
  void sameSnapshotInAnyOrderGivesTheSameTarget(@ForAll("snapshots") Snapshot s, @ForAll long shuffleSeed) {
    List<String> partitions = new ArrayList<>(s.partitions());
    List<String> members = new ArrayList<>(s.members());
    Collections.shuffle(partitions, new Random(shuffleSeed));
    Collections.shuffle(members, new Random(shuffleSeed + 1));
    Map<String, String> owners = new LinkedHashMap<>();
    List<String> keys = new ArrayList<>(s.owners().keySet());
    Collections.shuffle(keys, new Random(shuffleSeed + 2));
    keys.forEach(k -> owners.put(k, s.owners().get(k)));

    assertEquals(
        PartitionAssignment.assign(s.partitions(), s.members(), s.owners()),
        PartitionAssignment.assign(partitions, members, owners));
  }

  @Property(tries = 300)
  void aTargetThatIsAlreadyInPlaceIsKeptAsIs(@ForAll("snapshots") Snapshot s) {
    Map<String, String> target = PartitionAssignment.assign(s.partitions(), s.members(), s.owners());

    assertEquals(target, PartitionAssignment.assign(s.partitions(), s.members(), target));
  }

  @Test
  void aJoiningMemberTakesOnlyItsShareFromTheOthers() {
    List<String> partitions = partitions(100);
    Map<String, String> balanced = PartitionAssignment.assign(partitions, List.of("a", "b", "c"), Map.of());

    Map<String, String> afterJoin = PartitionAssignment.assign(partitions, List.of("a", "b", "c", "d"), balanced);

    assertEquals(25, counts(afterJoin, List.of("d")).get("d"));
    assertEquals(25, PartitionAssignment.moves(balanced, afterJoin, List.of("a", "b", "c", "d")));
  }

  @Test
  void aLeavingMembersPartitionsAreSpreadWithoutMovingAnyOther() {
    List<String> partitions = partitions(100);
    Map<String, String> balanced = PartitionAssignment.assign(partitions, List.of("a", "b", "c", "d"), Map.of());

    Map<String, String> afterLeave = PartitionAssignment.assign(partitions, List.of("a", "b", "c"), balanced);

    assertEquals(0, PartitionAssignment.moves(balanced, afterLeave, List.of("a", "b", "c")));
    for (Map.Entry<String, String> e : balanced.entrySet()) {
      if (!e.getValue().equals("d")) {
        assertEquals(e.getValue(), afterLeave.get(e.getKey()), "a survivor keeps " + e.getKey());
      }
    }
    Map<String, Integer> counts = counts(afterLeave, List.of("a", "b", "c"));
    assertEquals(Set.of(33, 34), new TreeSet<>(counts.values()));
  }

  @Test
  void noMembersMeansNoTargets() {
    assertTrue(PartitionAssignment.assign(partitions(5), List.of(), Map.of()).isEmpty());
  }

  private static List<String> partitions(int n) {
    List<String> partitions = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      partitions.add(String.format("p%03d", i));
    }
    return partitions;
  }

  private static Map<String, Integer> counts(Map<String, String> target, List<String> members) {
    Map<String, Integer> counts = new HashMap<>();
    members.forEach(m -> counts.put(m, 0));
    target.values().forEach(m -> counts.merge(m, 1, Integer::sum));
    return counts;
  }

  /**
   * An independent oracle: try every choice of which members get the larger share; the best choice
   * keeps Σ min(held, quota) partitions in place, and every other live-owned partition must move.
   */
  private static int bruteForceMinimumMoves(Snapshot s) {
    int p = s.partitions().size();
    int n = s.members().size();
    int[] held = new int[n];
    int liveOwned = 0;
    for (String part : s.partitions()) {
      int index = s.members().indexOf(s.owners().get(part));
      if (index >= 0) {
        held[index]++;
        liveOwned++;
      }
    }
    int best = 0;
    for (int mask = 0; mask < (1 << n); mask++) {
      if (Integer.bitCount(mask) != p % n) {
        continue;
      }
      int kept = 0;
      for (int i = 0; i < n; i++) {
        kept += Math.min(held[i], p / n + ((mask >> i) & 1));
      }
      best = Math.max(best, kept);
    }
    return liveOwned - best;
  }
}
