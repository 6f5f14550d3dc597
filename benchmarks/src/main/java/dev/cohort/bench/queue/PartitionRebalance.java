package dev.cohort.bench.queue;

import dev.cohort.inmemory.InMemoryBackend;
import dev.cohort.recipes.Cohort;
import dev.cohort.recipes.partition.Partition;
import dev.cohort.recipes.partition.PartitionClaimer;
import dev.cohort.recipes.partition.PartitionListener;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Partition rebalance on the in-memory backend: 100 partitions, 3 members balanced; then a fourth
 * member joins, then one leaves (closes cleanly). For each change: the time from the change to the
 * moment every partition is owned again with every member at ⌊P/N⌋ or ⌈P/N⌉, and the number of
 * partitions that moved between members that stayed (the minimum is 25 on the join, 0 on the leave).
 *
 * <p>Run: {@code java -cp benchmarks/target/benchmarks.jar dev.cohort.bench.queue.PartitionRebalance [rounds]}
 */
public final class PartitionRebalance {
  private static final int PARTITIONS = 100;
  private static final int WARMUP_ROUNDS = 5;

  private PartitionRebalance() {}

  public static void main(String[] args) throws Exception {
    int rounds = args.length > 0 ? Integer.parseInt(args[0]) : 10;
    double[] joinMillis = new double[rounds];
    double[] leaveMillis = new double[rounds];
    int[] joinMoves = new int[rounds];
    int[] leaveMoves = new int[rounds];
    for (int round = -WARMUP_ROUNDS; round < rounds; round++) {
      double[] r = round();
      if (round >= 0) {
        joinMillis[round] = r[0];
        joinMoves[round] = (int) r[1];
        leaveMillis[round] = r[2];
        leaveMoves[round] = (int) r[3];
      }
    }
    System.out.printf("partition rebalance, in-memory, %d partitions, median of %d rounds (after %d warm-up):%n",
        PARTITIONS, rounds, WARMUP_ROUNDS);
    System.out.printf("  join (3 -> 4 members):  %6.2f ms, moves %s (minimum 25)%n", median(joinMillis), Arrays.toString(joinMoves));
    System.out.printf("  leave (4 -> 3 members): %6.2f ms, moves %s (minimum 0)%n", median(leaveMillis), Arrays.toString(leaveMoves));
  }

  /** Counts revocations per member and completes a future whenever the live members are balanced. */
  private static final class Group {
    final Map<String, PartitionClaimer> live = new ConcurrentHashMap<>();
    final Map<String, AtomicInteger> revocations = new ConcurrentHashMap<>();
    volatile CompletableFuture<Void> balanced = new CompletableFuture<>();

    PartitionListener listenerFor(String id) {
      revocations.put(id, new AtomicInteger());
      return new PartitionListener() {
        @Override
        public void assigned(Partition partition) {
          check();
        }

        @Override
        public void revoked(String partitionId) {
          revocations.get(id).incrementAndGet();
        }
      };
    }

    void check() {
      int n = live.size();
      if (n == 0) {
        return;
      }
      int total = 0;
      for (PartitionClaimer claimer : live.values()) {
        int owned = claimer.owned().size();
        if (owned != PARTITIONS / n && owned != (PARTITIONS + n - 1) / n) {
          return;
        }
        total += owned;
      }
      if (total == PARTITIONS) {
        balanced.complete(null);
      }
    }

    int revocationsOf(List<String> ids) {
      return ids.stream().mapToInt(id -> revocations.get(id).get()).sum();
    }
  }

  /** {join ms, join moves, leave ms, leave moves}. */
  private static double[] round() throws Exception {
    try (InMemoryBackend backend = InMemoryBackend.create()) {
      List<Cohort> clients = new ArrayList<>();
      Group group = new Group();
      try {
        Cohort admin = client(backend, clients);
        for (int i = 0; i < PARTITIONS; i++) {
          PartitionClaimer.definePartition(admin, "/p", String.format("p%03d", i), new byte[0]);
        }
        for (String id : List.of("a", "b", "c")) {
          start(backend, clients, group, id);
        }
        // Balance may have been seen while only "a" was live: wait for it with all three.
        group.balanced = new CompletableFuture<>();
        group.check();
        group.balanced.get(30, TimeUnit.SECONDS);

        List<String> stayers = List.of("a", "b", "c");
        int before = group.revocationsOf(stayers);
        group.balanced = new CompletableFuture<>();
        long t0 = System.nanoTime();
        start(backend, clients, group, "d");
        group.balanced.get(30, TimeUnit.SECONDS);
        double joinMs = (System.nanoTime() - t0) / 1e6;
        int joinMoves = group.revocationsOf(stayers) - before;

        stayers = List.of("a", "c", "d");
        before = group.revocationsOf(stayers);
        group.balanced = new CompletableFuture<>();
        t0 = System.nanoTime();
        PartitionClaimer leaver = group.live.remove("b");
        leaver.close(Duration.ofSeconds(30));
        group.check(); // the leaver's own release may be the last event if nothing moved to the others
        group.balanced.get(30, TimeUnit.SECONDS);
        double leaveMs = (System.nanoTime() - t0) / 1e6;
        int leaveMoves = group.revocationsOf(stayers) - before;
        group.live.values().forEach(PartitionClaimer::close);
        return new double[] {joinMs, joinMoves, leaveMs, leaveMoves};
      } finally {
        clients.forEach(Cohort::close);
      }
    }
  }

  private static void start(InMemoryBackend backend, List<Cohort> clients, Group group, String id)
      throws InterruptedException {
    PartitionClaimer claimer = PartitionClaimer.builder(client(backend, clients), "/p", id, group.listenerFor(id)).start();
    group.live.put(id, claimer);
    // The member claims from the moment it starts: on a busy machine its last claim can come before
    // it is in the live map, and no event would follow to see the balance.
    group.check();
  }

  private static Cohort client(InMemoryBackend backend, List<Cohort> clients) throws InterruptedException {
    Cohort client = Cohort.builder(backend).build();
    client.start();
    clients.add(client);
    return client;
  }

  private static double median(double[] values) {
    double[] sorted = values.clone();
    Arrays.sort(sorted);
    return sorted[sorted.length / 2];
  }
}
