package dev.cohort.recipes.partition;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * The pure decision of who should own which partition: given the partitions, the live members and
 * the current owners, the target owner of every partition.
 *
 * <p>Guarantees, for any input:
 *
 * <ul>
 *   <li><b>balanced</b>: with N live members and P partitions, each member is the target of
 *       ⌊P/N⌋ or ⌈P/N⌉ partitions (exactly {@code P mod N} of them get ⌈P/N⌉);
 *   <li><b>sticky</b>: the number of partitions whose current owner is a live member and whose target
 *       is another member is the minimum any balanced assignment allows. The members that get the
 *       larger quota are the ones that hold the most now, and each member keeps as many of its
 *       current partitions as its quota allows;
 *   <li><b>deterministic</b>: the same input gives the same output, whatever the iteration order of
 *       the collections passed in, so every member that reads the same snapshot computes the same
 *       target.
 * </ul>
 *
 * <p>Owners that are not live members are ignored (their partitions are free), as are owned names
 * that are not partitions (a completed partition whose owner node lingers).
 */
final class PartitionAssignment {

  private PartitionAssignment() {}

  /**
   * The target owner of every partition.
   *
   * @param partitions the partition names; duplicates are ignored
   * @param members the live member ids; duplicates are ignored
   * @param currentOwners partition name to current owner id; entries for unknown partitions or dead
   *     members are ignored
   * @return partition to target member, sorted by partition; empty when there are no members
   */
  static Map<String, String> assign(
      Collection<String> partitions, Collection<String> members, Map<String, String> currentOwners) {
    Objects.requireNonNull(partitions, "partitions");
    Objects.requireNonNull(members, "members");
    Objects.requireNonNull(currentOwners, "currentOwners");
    TreeSet<String> parts = new TreeSet<>(partitions);
    TreeSet<String> live = new TreeSet<>(members);
    Map<String, String> target = new TreeMap<>();
    if (live.isEmpty() || parts.isEmpty()) {
      return target;
    }
    Map<String, List<String>> held = currentHoldings(parts, live, currentOwners);
    Map<String, Integer> quota = quotas(parts.size(), live, held);

    List<String> free = new ArrayList<>();
    Map<String, Integer> count = new HashMap<>();
    for (String p : parts) {
      String owner = currentOwners.get(p);
      if (owner != null && live.contains(owner) && count.getOrDefault(owner, 0) < quota.get(owner)) {
        target.put(p, owner);
        count.merge(owner, 1, Integer::sum);
      } else {
        free.add(p);
      }
    }
    // Free partitions go to members with room, in member order; both lists are sorted, so this is
    // deterministic.
    int next = 0;
    for (String member : live) {
      int room = quota.get(member) - count.getOrDefault(member, 0);
      for (int i = 0; i < room; i++) {
        target.put(free.get(next++), member);
      }
    }
    return target;
  }

  /**
   * How many partitions would move between live members if the owners changed from {@code current}
   * to {@code target}: partitions owned by a live member now and targeted at a different member.
   */
  static int moves(Map<String, String> current, Map<String, String> target, Collection<String> members) {
    int moves = 0;
    for (Map.Entry<String, String> e : target.entrySet()) {
      String owner = current.get(e.getKey());
      if (owner != null && members.contains(owner) && !owner.equals(e.getValue())) {
        moves++;
      }
    }
    return moves;
  }

  private static Map<String, List<String>> currentHoldings(
      TreeSet<String> parts, TreeSet<String> live, Map<String, String> currentOwners) {
    Map<String, List<String>> held = new TreeMap<>();
    for (String member : live) {
      held.put(member, new ArrayList<>());
    }
    for (String p : parts) {
      String owner = currentOwners.get(p);
      if (owner != null && live.contains(owner)) {
        held.get(owner).add(p);
      }
    }
    return held;
  }

  /**
   * Everyone gets ⌊P/N⌋; the P mod N larger quotas go to the members that hold the most now (ties by
   * id), which maximises what members keep and so minimises moves.
   */
  private static Map<String, Integer> quotas(int p, TreeSet<String> live, Map<String, List<String>> held) {
    int n = live.size();
    int base = p / n;
    int extra = p % n;
    List<String> byHoldings = new ArrayList<>(live);
    byHoldings.sort(
        Comparator.<String>comparingInt(m -> held.get(m).size()).reversed().thenComparing(m -> m));
    Map<String, Integer> quota = new HashMap<>();
    for (int i = 0; i < byHoldings.size(); i++) {
      quota.put(byHoldings.get(i), base + (i < extra ? 1 : 0));
    }
    return quota;
  }
}
