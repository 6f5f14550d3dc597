package dev.cohort.bench.queue;

import dev.cohort.inmemory.InMemoryBackend;
import dev.cohort.recipes.Cohort;
import dev.cohort.recipes.CohortEvents;
import dev.cohort.recipes.group.GroupMember;
import dev.cohort.recipes.partition.Partition;
import dev.cohort.recipes.partition.PartitionClaimer;
import dev.cohort.recipes.partition.PartitionListener;
import dev.cohort.spi.CreateMode;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.BooleanSupplier;

/**
 * What one membership change costs on the in-memory backend, in requests (every operation a
 * client sends, counted through {@link CohortEvents#operationStarted}) and in time, at a given
 * group size. Issue #16: the cost of a join, a leave or a rebalance should grow with what moves,
 * not with the size of the group.
 *
 * <ul>
 *   <li>{@link #group}: a group of {@code size} members of which {@code observers} are {@link
 *       GroupMember}s with live views (the rest are member nodes of one other session, so that a
 *       10,000-member group fits on one machine); one member joins, updates its payload, leaves.
 *       Reported per observer: what each existing member pays to follow one change.
 *   <li>{@link #partitions}: {@code partitions} partitions balanced over {@code members}
 *       {@link PartitionClaimer}s; one member joins, then it leaves. Reported: the requests of all
 *       members together, the partitions that moved, and requests per moved partition.
 * </ul>
 *
 * <p>For partitions each figure is preceded by the same requests by kind ({@code getChildren},
 * {@code getData}, {@code multi}, ...), to show where they go.
 *
 * <p>Times are from the change to the moment every member has seen it (group) or the set is
 * balanced again (partitions), then the counters are read once the requests have stopped (no
 * request for 100 ms): figures of a shared machine, noisy; the request counts are exact.
 *
 * <p>Run: {@code java -cp benchmarks/target/benchmarks.jar dev.cohort.bench.queue.MembershipCost
 * [group sizes, comma-separated] [partition counts] [members]}; default {@code 10,1000,10000 100,10000 100}.
 */
public final class MembershipCost {

  private MembershipCost() {}

  /**
   * The cost of one operation.
   *
   * @param operation what was done ("join", "update", "leave", "rebalance-join", "rebalance-leave")
   * @param groupSize members in the group before the operation
   * @param partitions partitions in the set (0 for a plain group)
   * @param requests requests sent by every observing member together
   * @param requestsPerMember {@code requests} divided by the observing members
   * @param moved partitions that changed hands (0 for a plain group)
   * @param micros time until every member saw the change, in microseconds
   */
  public record Cost(String operation, int groupSize, int partitions, long requests, double requestsPerMember,
      int moved, double micros) {
    @Override
    public String toString() {
      return String.format("%-16s N=%-6d P=%-6d requests=%-9d per member=%-9.1f moved=%-5d %10.0f µs",
          operation, groupSize, partitions, requests, requestsPerMember, moved, micros);
    }
  }

  public static void main(String[] args) throws Exception {
    int[] groupSizes = ints(args.length > 0 ? args[0] : "10,1000,10000");
    int[] partitionCounts = ints(args.length > 1 ? args[1] : "100,10000");
    int members = args.length > 2 ? Integer.parseInt(args[2]) : 100;
    for (int size : groupSizes) {
      group(size, Math.min(size - 1, 10)).forEach(System.out::println);
    }
    for (int p : partitionCounts) {
      partitions(p, members).forEach(System.out::println);
    }
  }

  /** Counts every request of the clients it is bound to. */
  private static final class Counter implements CohortEvents {
    final LongAdder requests = new LongAdder();
    final Map<String, LongAdder> byOperation = new ConcurrentHashMap<>();

    @Override
    public Object operationStarted(String operation) {
      requests.increment();
      byOperation.computeIfAbsent(operation, o -> new LongAdder()).increment();
      return null;
    }

    long sum() {
      return requests.sum();
    }

    /** The requests by kind since {@code before} (a {@link #snapshot}), e.g. "getData=99 multi=198". */
    String since(Map<String, Long> before) {
      StringBuilder out = new StringBuilder();
      new java.util.TreeMap<>(snapshot()).forEach((op, n) -> {
        long d = n - before.getOrDefault(op, 0L);
        if (d != 0) {
          out.append(out.length() == 0 ? "" : " ").append(op).append('=').append(d);
        }
      });
      return out.toString();
    }

    Map<String, Long> snapshot() {
      Map<String, Long> now = new java.util.HashMap<>();
      byOperation.forEach((op, n) -> now.put(op, n.sum()));
      return now;
    }
  }

  /**
   * A group of {@code size} members, {@code observers} of them with live views: the cost each
   * observer pays when one member joins, updates its payload, and leaves.
   */
  public static List<Cost> group(int size, int observers) throws Exception {
    if (observers < 1 || observers >= size) {
      throw new IllegalArgumentException("need 1 <= observers < size: " + observers + ", " + size);
    }
    String group = "/g";
    List<Cost> costs = new ArrayList<>();
    List<Cohort> clients = new ArrayList<>();
    try (InMemoryBackend backend = InMemoryBackend.create()) {
      try {
        Counter observed = new Counter();
        Cohort admin = client(backend, clients, null);
        admin.async().createWithParents(group, new byte[0], CreateMode.PERSISTENT).get();
        List<java.util.concurrent.CompletableFuture<?>> creates = new ArrayList<>();
        for (int i = observers; i < size - 1; i++) {
          creates.add(admin.async().create(group + "/passive" + i, new byte[8], CreateMode.EPHEMERAL));
        }
        for (var c : creates) {
          c.get();
        }
        List<GroupMember> views = new ArrayList<>();
        for (int i = 0; i < observers; i++) {
          views.add(GroupMember.join(client(backend, clients, observed), group, "observer" + i, new byte[8], null));
        }
        awaitAll(views, size - 1);
        await(quiet(observed));

        Cohort joinerClient = client(backend, clients, null);
        long before = observed.sum();
        long t0 = System.nanoTime();
        GroupMember joiner = GroupMember.join(joinerClient, group, "joiner", new byte[8], null);
        awaitAll(views, size);
        double micros = (System.nanoTime() - t0) / 1e3;
        await(quiet(observed));
        costs.add(cost("join", size - 1, 0, observed.sum() - before, observers, 0, micros));

        before = observed.sum();
        t0 = System.nanoTime();
        joiner.update(new byte[9]);
        await(() -> views.stream().allMatch(v -> v.members().get("joiner").payload().length == 9));
        micros = (System.nanoTime() - t0) / 1e3;
        await(quiet(observed));
        costs.add(cost("update", size, 0, observed.sum() - before, observers, 0, micros));

        before = observed.sum();
        t0 = System.nanoTime();
        joiner.close();
        awaitAll(views, size - 1);
        micros = (System.nanoTime() - t0) / 1e3;
        await(quiet(observed));
        costs.add(cost("leave", size, 0, observed.sum() - before, observers, 0, micros));
        views.forEach(GroupMember::close);
      } finally {
        clients.forEach(Cohort::close);
      }
    }
    return costs;
  }

  /**
   * {@code partitions} partitions balanced over {@code members} claimers: the cost of a member
   * joining (the others hand it its share), then of that member leaving.
   */
  public static List<Cost> partitions(int partitions, int members) throws Exception {
    String root = "/p";
    List<Cost> costs = new ArrayList<>();
    List<Cohort> clients = new ArrayList<>();
    Map<String, PartitionClaimer> live = new ConcurrentHashMap<>();
    AtomicInteger moves = new AtomicInteger();
    try (InMemoryBackend backend = InMemoryBackend.create()) {
      try {
        Counter counter = new Counter();
        Cohort admin = client(backend, clients, null);
        for (int i = 0; i < partitions; i++) {
          PartitionClaimer.definePartition(admin, root, String.format("p%05d", i), new byte[0]);
        }
        PartitionListener listener = new PartitionListener() {
          @Override
          public void assigned(Partition partition) {}

          @Override
          public void revoked(String partitionId) {
            moves.incrementAndGet();
          }
        };
        for (int i = 0; i < members; i++) {
          String id = String.format("m%04d", i);
          live.put(id, PartitionClaimer.builder(client(backend, clients, counter), root, id, listener).start());
        }
        await(() -> balanced(live, partitions));
        await(quiet(counter));

        long before = counter.sum();
        Map<String, Long> kinds = counter.snapshot();
        int movesBefore = moves.get();
        long t0 = System.nanoTime();
        live.put("joiner", PartitionClaimer.builder(client(backend, clients, counter), root, "joiner", listener).start());
        await(() -> balanced(live, partitions));
        double micros = (System.nanoTime() - t0) / 1e3;
        await(quiet(counter));
        int moved = moves.get() - movesBefore;
        costs.add(cost("rebalance-join", members, partitions, counter.sum() - before, members + 1, moved, micros));
        System.out.println("  by kind: " + counter.since(kinds));

        before = counter.sum();
        kinds = counter.snapshot();
        movesBefore = moves.get();
        t0 = System.nanoTime();
        PartitionClaimer leaver = live.remove("joiner");
        int leaverHeld = leaver.owned().size();
        leaver.close(Duration.ofSeconds(60));
        await(() -> balanced(live, partitions));
        micros = (System.nanoTime() - t0) / 1e3;
        await(quiet(counter));
        moved = moves.get() - movesBefore;
        // The leaver's own revocations are its releases; the others move nothing more.
        costs.add(cost("rebalance-leave", members + 1, partitions, counter.sum() - before, members + 1,
            Math.max(moved, leaverHeld), micros));
        System.out.println("  by kind: " + counter.since(kinds));
        live.values().forEach(PartitionClaimer::close);
      } finally {
        clients.forEach(Cohort::close);
      }
    }
    return costs;
  }

  private static Cost cost(String op, int n, int p, long requests, int members, int moved, double micros) {
    return new Cost(op, n, p, requests, (double) requests / members, moved, micros);
  }

  private static boolean balanced(Map<String, PartitionClaimer> live, int partitions) {
    int n = live.size();
    int total = 0;
    for (PartitionClaimer claimer : live.values()) {
      int owned = claimer.owned().size();
      if (owned != partitions / n && owned != (partitions + n - 1) / n) {
        return false;
      }
      total += owned;
    }
    return total == partitions;
  }

  private static void awaitAll(List<GroupMember> views, int size) throws InterruptedException {
    await(() -> views.stream().allMatch(v -> v.members().size() == size));
  }

  /** True once no request was counted for 100 ms. */
  private static BooleanSupplier quiet(Counter counter) {
    long[] last = {-1, System.nanoTime()};
    return () -> {
      long now = counter.sum();
      if (now != last[0]) {
        last[0] = now;
        last[1] = System.nanoTime();
        return false;
      }
      return System.nanoTime() - last[1] > 100_000_000L;
    };
  }

  private static void await(BooleanSupplier condition) throws InterruptedException {
    long deadline = System.nanoTime() + Duration.ofMinutes(10).toNanos();
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException("timed out");
      }
      Thread.sleep(1); // a benchmark's poll, not a recipe's wait
    }
  }

  private static Cohort client(InMemoryBackend backend, List<Cohort> clients, CohortEvents events)
      throws InterruptedException {
    Cohort.Builder builder = Cohort.builder(backend).sessionTimeout(Duration.ofSeconds(30));
    if (events != null) {
      builder.events(events);
    }
    Cohort client = builder.build();
    client.start();
    clients.add(client);
    return client;
  }

  private static int[] ints(String csv) {
    return java.util.Arrays.stream(csv.split(",")).mapToInt(Integer::parseInt).toArray();
  }
}
