package dev.cohort.examples;

import dev.cohort.recipes.Cohort;
import dev.cohort.recipes.partition.Partition;
import dev.cohort.recipes.partition.PartitionClaimer;
import dev.cohort.recipes.partition.PartitionListener;
import dev.cohort.testing.OwnershipHistory;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * {@code partitions}: P partitions shared by members that join, leave and crash. After each step
 * the demo waits until every partition has exactly one owner and the shares differ by at most one,
 * then shows the shares and how many partitions moved. Ownership (with fencing tokens) is recorded
 * in an {@link OwnershipHistory}, so a partition held by two members at once would fail the run.
 */
final class PartitionsScenario {

  record Step(String what, Map<String, Integer> shares, int moves, double seconds, boolean balanced) {}

  record Result(int partitions, List<Step> steps) {
    boolean balancedAfterEveryStep() {
      return steps.stream().allMatch(Step::balanced);
    }
  }

  private static final String ROOT = "/partitions";

  private final DemoCluster cluster;
  private final PrintWriter out;
  private final int partitions;
  private final int initialMembers;
  private final double stepLimitSeconds;
  private final OwnershipHistory history = new OwnershipHistory("partitions");
  /** Who holds each partition right now, as the members' listeners report it. */
  private final Map<String, String> owner = new ConcurrentHashMap<>();
  private final AtomicInteger assignments = new AtomicInteger();
  private final Map<String, Member> members = new LinkedHashMap<>();
  private int nextMember;

  PartitionsScenario(DemoCluster cluster, PrintWriter out, int partitions, int initialMembers, double stepLimitSeconds) {
    this.cluster = cluster;
    this.out = out;
    this.partitions = partitions;
    this.initialMembers = initialMembers;
    this.stepLimitSeconds = stepLimitSeconds;
  }

  private record Member(String id, Cohort client, PartitionClaimer claimer) {}

  Result run() throws InterruptedException {
    out.printf("partitions: %d partitions, %d members to start, on the %s%n", partitions, initialMembers,
        cluster.describe());
    Cohort admin = cluster.newClient();
    for (int i = 0; i < partitions; i++) {
      PartitionClaimer.definePartition(admin, ROOT, String.format("p%03d", i),
          ("instructions for partition " + i).getBytes(StandardCharsets.UTF_8));
    }
    List<Step> steps = new ArrayList<>();
    int mark = assignments.get();
    for (int i = 0; i < initialMembers; i++) {
      join();
    }
    steps.add(settle(initialMembers + " members joined", mark));
    mark = assignments.get();
    String joined = join();
    steps.add(settle(joined + " joined", mark));
    String leaving = members.keySet().iterator().next();
    mark = assignments.get();
    leave(leaving);
    steps.add(settle(leaving + " left (handed its partitions over)", mark));
    String crashing = new ArrayList<>(members.keySet()).get(members.size() / 2);
    mark = assignments.get();
    crash(crashing);
    steps.add(settle(crashing + " crashed (its claims expired with its session)", mark));
    for (Member m : members.values()) {
      m.claimer().close();
    }
    history.check();
    Table.print(out, new String[] {"step", "shares (member: partitions)", "claims", "settled in", "balanced"},
        steps.stream().map(s -> new String[] {s.what(), s.shares().toString(), String.valueOf(s.moves()),
            String.format("%.0f ms", s.seconds() * 1000), s.balanced() ? "yes" : "NO"}).toList());
    return new Result(partitions, steps);
  }

  private String join() throws InterruptedException {
    String id = "member-" + (char) ('a' + nextMember++);
    Cohort client = cluster.newClient();
    PartitionClaimer claimer = PartitionClaimer.builder(client, ROOT, id, new PartitionListener() {
      @Override
      public void assigned(Partition partition) {
        if (crashed.contains(id)) {
          return; // a dead process records nothing
        }
        history.acquired(partition.id(), id, partition.fencingToken().value());
        tokens.put(id + "/" + partition.id(), partition.fencingToken().value());
        owner.put(partition.id(), id);
        assignments.incrementAndGet();
      }

      @Override
      public void revoked(String partitionId) {
        // record the release before the claimer deletes the owner node (it does so after we return)
        Long token = tokens.remove(id + "/" + partitionId);
        if (token != null) { // null: already recorded when the demo crashed this member
          history.released(partitionId, id, token);
          owner.remove(partitionId, id);
        }
      }
    }).start();
    members.put(id, new Member(id, client, claimer));
    return id;
  }

  private final Map<String, Long> tokens = new ConcurrentHashMap<>();

  private void leave(String id) throws InterruptedException {
    Member m = members.remove(id);
    m.claimer().close(java.time.Duration.ofSeconds(10));
    m.client().close();
  }

  private final Set<String> crashed = ConcurrentHashMap.newKeySet();

  private void crash(String id) {
    Member m = members.remove(id);
    // The crashed process tells no one: record the end of its ownerships as its session dies,
    // before the kill, so the record lies inside the real ownership.
    crashed.add(id);
    String prefix = id + "/";
    for (String key : Set.copyOf(tokens.keySet())) {
      if (key.startsWith(prefix)) {
        Long token = tokens.remove(key);
        if (token != null) {
          String partition = key.substring(prefix.length());
          history.released(partition, id, token);
          owner.remove(partition, id);
        }
      }
    }
    cluster.kill(m.client());
    m.claimer().close();
  }

  /** Waits until the live members own every partition in balanced shares. */
  private Step settle(String what, int before) {
    Timeline clock = new Timeline();
    boolean balanced = false;
    Map<String, Integer> shares = Map.of();
    while (clock.now() < stepLimitSeconds) {
      shares = shares();
      balanced = isBalanced(shares);
      if (balanced) {
        break;
      }
      JobServices.pause(5);
    }
    int moves = assignments.get() - before;
    return new Step(what, shares, moves, clock.now(), balanced);
  }

  /** Each live member's count of partitions, as their claimers report it. */
  private Map<String, Integer> shares() {
    Map<String, Integer> shares = new TreeMap<>();
    for (Member m : members.values()) {
      Set<String> owned = m.claimer().owned();
      shares.put(m.id(), owned.size());
    }
    return shares;
  }

  private boolean isBalanced(Map<String, Integer> shares) {
    int total = 0;
    int min = Integer.MAX_VALUE;
    int max = 0;
    for (int n : shares.values()) {
      total += n;
      min = Math.min(min, n);
      max = Math.max(max, n);
    }
    return total == partitions && max - min <= 1 && owner.size() == partitions;
  }
}
