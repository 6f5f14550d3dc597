package dev.cohort.recipes.partition;

import java.util.ArrayList;
import java.util.Collection;
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
 *       is another member is the minimum any balanced assignment allows. The larger quotas go first to
 *       members that hold at least that many now, and each member keeps as many of its current
 *       partitions as its quota allows;
 *   <li><b>deterministic</b>: the same input gives the same output, whatever the iteration order of
 *       the collections passed in, so every member that reads the same snapshot computes the same
 *       target.
 * </ul>
 *
 * <p>Owners that are not live members are ignored (their partitions are free), as are owned names
 * that are not partitions (a completed partition whose owner node lingers).
 *
 * <p><b>Weights and maxima.</b> A member may carry a {@link Capacity}: a weight (its share is
 * proportional to it) and a maximum (it is never the target of more). When every member has the
 * same weight and no maximum binds, the target is exactly the unweighted one above. Otherwise the
 * shares are water-filled: a member whose proportional share reaches its maximum gets its maximum,
 * and the rest is shared by weight among the others, each getting the floor of its exact share or
 * one more (the one more goes first to members that already hold that many, then by id). Partitions
 * beyond the sum of every member's maximum have no target. The stickiness guarantee holds as above
 * (each member keeps what it holds up to its quota); the proof that views taken mid-rebalance agree
 * on the quotas is made for the unweighted case only, so with weights a rebalance may move a
 * partition more than strictly needed when views race, and a later round settles it.
 */
final class PartitionAssignment {

  private PartitionAssignment() {}

  /**
   * A member's weight (at least 1) and the most partitions it may hold (at least 0).
   *
   * @param weight the member's share relative to the others'
   * @param max the most partitions it may be the target of
   */
  record Capacity(int weight, int max) {
    /** Weight 1, no maximum. */
    static final Capacity DEFAULT = new Capacity(1, Integer.MAX_VALUE);

    Capacity {
      if (weight < 1) {
        throw new IllegalArgumentException("weight must be at least 1: " + weight);
      }
      if (max < 0) {
        throw new IllegalArgumentException("maximum must be at least 0: " + max);
      }
    }
  }

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
    return assign(partitions, members, currentOwners, Map.of());
  }

  /**
   * The target owner of every partition that may have one, members weighted and capped by {@code
   * capacities} (a member missing there has {@link Capacity#DEFAULT}).
   *
   * @return partition to target member, sorted by partition; a partition no member has room for
   *     is missing
   */
  static Map<String, String> assign(Collection<String> partitions, Collection<String> members,
      Map<String, String> currentOwners, Map<String, Capacity> capacities) {
    Objects.requireNonNull(capacities, "capacities");
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
    Map<String, Integer> quota = uniform(parts.size(), live, capacities)
        ? quotas(parts.size(), live, held)
        : weightedQuotas(parts.size(), live, held, capacities);

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
      for (int i = 0; i < room && next < free.size(); i++) {
        target.put(free.get(next++), member);
      }
    }
    return target;
  }

  /** Whether every member has the same weight and no maximum below ⌈P/N⌉. */
  static boolean uniform(int p, TreeSet<String> live, Map<String, Capacity> capacities) {
    int ceiling = (p + live.size() - 1) / live.size();
    Integer weight = null;
    for (String m : live) {
      Capacity c = capacities.getOrDefault(m, Capacity.DEFAULT);
      if (c.max() < ceiling || (weight != null && weight != c.weight())) {
        return false;
      }
      weight = c.weight();
    }
    return true;
  }

  /**
   * Water-filling: members whose share by weight reaches their maximum get the maximum, and what is
   * left is shared by weight among the others, again until no maximum binds. Each of those gets the
   * floor of its exact share; the partitions left over go one each to members with a fractional
   * share, first to those that hold more than their floor now (so they keep one more), then by id.
   */
  private static Map<String, Integer> weightedQuotas(
      int p, TreeSet<String> live, Map<String, List<String>> held, Map<String, Capacity> capacities) {
    Map<String, Integer> quota = new HashMap<>();
    TreeSet<String> open = new TreeSet<>(live);
    long remaining = p;
    boolean capped = true;
    while (capped && !open.isEmpty()) {
      capped = false;
      long weights = open.stream().mapToLong(m -> capacities.getOrDefault(m, Capacity.DEFAULT).weight()).sum();
      for (String m : List.copyOf(open)) {
        Capacity c = capacities.getOrDefault(m, Capacity.DEFAULT);
        if (remaining * c.weight() >= (long) c.max() * weights) {
          quota.put(m, c.max());
          open.remove(m);
          capped = true;
        }
      }
      remaining = p - quota.values().stream().mapToLong(Integer::longValue).sum();
    }
    if (open.isEmpty()) {
      return quota;
    }
    long weights = open.stream().mapToLong(m -> capacities.getOrDefault(m, Capacity.DEFAULT).weight()).sum();
    long extra = remaining;
    List<String> fractional = new ArrayList<>();
    for (String m : open) {
      long exact = remaining * capacities.getOrDefault(m, Capacity.DEFAULT).weight();
      quota.put(m, (int) (exact / weights));
      extra -= exact / weights;
      if (exact % weights != 0) {
        fractional.add(m);
      }
    }
    List<String> ranked = new ArrayList<>();
    fractional.stream().filter(m -> held.get(m).size() > quota.get(m)).forEach(ranked::add);
    fractional.stream().filter(m -> held.get(m).size() <= quota.get(m)).forEach(ranked::add);
    for (int i = 0; i < extra; i++) {
      quota.merge(ranked.get(i), 1, Integer::sum);
    }
    return quota;
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
   * Everyone gets ⌊P/N⌋, and P mod N members get one more: first the members that hold at least
   * ⌈P/N⌉ now, then the others, each group in id order. Giving the larger share to a member that
   * holds ⌈P/N⌉ or more lets it keep one more partition, so filling that group first minimises
   * moves; any choice within a group keeps as many.
   *
   * <p>Within a group the order is by id, not by how much each member holds, so that the choice
   * does not change while the members carry it out. On the way to the target a member that got
   * the larger share never drops below ⌈P/N⌉ (it releases down to it at most), one that did not
   * drops below it (it releases down to ⌊P/N⌋) and only the members picked from the second group
   * climb to it; every view taken along the way, stale or not, yields the same quotas. Ranked by
   * holdings, two members crossing each other's count mid-way would each plan on a different
   * winner: one claims a partition it then has to give back, or releases one it then claims again.
   */
  private static Map<String, Integer> quotas(int p, TreeSet<String> live, Map<String, List<String>> held) {
    Map<String, Integer> counts = new HashMap<>();
    held.forEach((member, partitions) -> counts.put(member, partitions.size()));
    return quotasFromCounts(p, live, counts);
  }

  /**
   * The quotas of {@link #assign} when every member has the same capacity (see {@link #uniform}),
   * from how many partitions each member holds rather than which: what a member needs to plan its
   * own part of a rebalance without reading who owns each partition.
   *
   * @param counts partitions each live member holds now; a member missing holds none
   */
  static Map<String, Integer> quotasFromCounts(int p, TreeSet<String> live, Map<String, Integer> counts) {
    int n = live.size();
    int base = p / n;
    int extra = p % n;
    int ceiling = base + (extra > 0 ? 1 : 0);
    List<String> ranked = new ArrayList<>();
    live.stream().filter(m -> counts.getOrDefault(m, 0) >= ceiling).forEach(ranked::add);
    live.stream().filter(m -> counts.getOrDefault(m, 0) < ceiling).forEach(ranked::add);
    Map<String, Integer> quota = new HashMap<>();
    for (int i = 0; i < ranked.size(); i++) {
      quota.put(ranked.get(i), base + (i < extra ? 1 : 0));
    }
    return quota;
  }
}
