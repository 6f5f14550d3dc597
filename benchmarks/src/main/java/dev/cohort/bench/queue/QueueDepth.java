package dev.cohort.bench.queue;

import dev.cohort.bench.recipes.CountingBackend;
import dev.cohort.inmemory.InMemoryBackend;
import dev.cohort.recipes.Cohort;
import dev.cohort.recipes.queue.Job;
import dev.cohort.recipes.queue.PutOptions;
import dev.cohort.recipes.queue.WorkQueue;
import dev.cohort.replicated.ReplicatedBackend;
import dev.cohort.spi.CoordinationBackend;
import dev.cohort.zookeeper.ZooKeeperBackend;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.apache.zookeeper.server.ServerCnxnFactory;
import org.apache.zookeeper.server.ZooKeeperServer;

/**
 * Put and take cost of a {@link WorkQueue} as its depth grows (issue #16): for each depth, a
 * fresh backend is filled to that many pending jobs, then one client (one session, one thread)
 * takes and completes {@code ops} jobs and puts {@code ops} jobs (the queue is filled {@code ops}
 * above the depth, up to the maximum), each timed, while a counting
 * wrapper around its session counts the requests it sends and the longest listing it reads (a
 * worker lists a bucket once and takes from what it read, so a short run may list nothing).
 * Takes come first (so a queue filled to the maximum has room for the puts): take + complete
 * drains from the oldest bucket, put adds at the newest. A first round at the first depth warms
 * the JIT and is not reported.
 *
 * <p>With {@code --delayed} the depth is of delayed jobs instead, due one to thirty days out (in
 * their buckets by due time), and the measured puts are delayed puts due at once, made before the
 * takes, which take those: the cost of jobs due now beside many due later.
 *
 * <p>Run: {@code java -cp <benchmarks classpath> dev.cohort.bench.queue.QueueDepth
 * [--backend=inmemory|replicated|zookeeper] [--depths=10,1000,100000,1000000] [--ops=2000] [--delayed]}
 */
public final class QueueDepth {
  private static final int FILL_WINDOW = 64;

  private QueueDepth() {}

  public static void main(String[] args) throws Exception {
    String backendName = "inmemory";
    List<Integer> depths = List.of(10, 1000, 100_000, 1_000_000);
    int ops = 2000;
    boolean delayed = false;
    for (String arg : args) {
      if (arg.startsWith("--backend=")) {
        backendName = arg.substring("--backend=".length());
      } else if (arg.startsWith("--depths=")) {
        depths = Stream.of(arg.substring("--depths=".length()).split(",")).map(Integer::parseInt).toList();
      } else if (arg.equals("--delayed")) {
        delayed = true;
      } else if (arg.startsWith("--ops=")) {
        ops = Integer.parseInt(arg.substring("--ops=".length()));
      } else {
        throw new IllegalArgumentException("unknown argument " + arg);
      }
    }
    System.out.printf("work queue cost by %s depth, %s backend, %d %sputs and %d take+complete per depth, one client%n",
        delayed ? "delayed" : "pending", backendName, ops, delayed ? "delayed (due now) " : "", ops);
    System.out.printf("%10s %10s %9s %9s %10s %10s %9s %9s%n",
        "depth", "filled", "put us", "req/put", "take us", "req/take", "longest", "fill s");
    List<Integer> rounds = new ArrayList<>();
    rounds.add(-depths.get(0)); // a warm-up round (JIT), not reported
    rounds.addAll(depths);
    for (int round : rounds) {
      boolean warmUp = round < 0;
      int depth = Math.abs(round);
      try (Harness harness = Harness.open(backendName)) {
        long fillStart = System.nanoTime();
        // Enough for the warm-up and the takes on top of the depth, within the queue's maximum.
        // Enough for the warm-up and the takes on top of the depth, and room for the puts below the
        // queue's maximum (the count a put reads is an estimate that can run a bucket high).
        int filled = delayed ? depth : Math.min(depth + ops + 2, WorkQueue.MAX_PENDING_JOBS - WorkQueue.BUCKET_SIZE - ops);
        fill(harness.backend(), filled, delayed);
        double fillSeconds = (System.nanoTime() - fillStart) / 1e9;
        CountingBackend counting = new CountingBackend(harness.backend());
        Cohort client = client(counting);
        try {
          WorkQueue queue = WorkQueue.builder(client, "/q").claimSpread(1, 0).build();
          if (!delayed) {
            queue.complete(queue.take(Duration.ofSeconds(10)).orElseThrow()); // warm-up take and put
          }
          queue.put(new byte[16]);
          queue.complete(queue.take(Duration.ofSeconds(10)).orElseThrow());
          double putMicros = 0;
          double putRequests = 0;
          long longestPut = 0;
          if (delayed) { // the jobs the takes below take
            counting.reset();
            long start = System.nanoTime();
            for (int i = 0; i < ops; i++) {
              queue.put(new byte[16], Duration.ZERO);
            }
            putMicros = (System.nanoTime() - start) / 1e3 / ops;
            putRequests = (double) counting.requests() / ops;
            longestPut = counting.longestListing();
          }
          counting.reset();
          long start = System.nanoTime();
          for (int i = 0; i < ops; i++) {
            Job job = queue.take(Duration.ofSeconds(10)).orElseThrow();
            if (!queue.complete(job)) {
              throw new IllegalStateException("claim lost in a one-worker run");
            }
          }
          double takeMicros = (System.nanoTime() - start) / 1e3 / ops;
          double takeRequests = (double) counting.requests() / ops;
          long longestTake = counting.longestListing();
          if (!delayed) {
            counting.reset();
            start = System.nanoTime();
            for (int i = 0; i < ops; i++) {
              queue.put(new byte[16]);
            }
            putMicros = (System.nanoTime() - start) / 1e3 / ops;
            putRequests = (double) counting.requests() / ops;
            longestPut = counting.longestListing();
          }
          long longest = Math.max(longestPut, longestTake);
          if (!warmUp) {
            System.out.printf("%,10d %,10d %9.1f %9.2f %10.1f %10.2f %9d %9.1f%n",
                depth, filled, putMicros, putRequests, takeMicros, takeRequests, longest, fillSeconds);
          }
          queue.close();
        } finally {
          client.close();
        }
      }
    }
  }

  /**
   * Puts {@code depth} jobs with a client of its own, {@link #FILL_WINDOW} in flight: pending ones,
   * or delayed ones due one to thirty days out.
   */
  private static void fill(CoordinationBackend backend, int depth, boolean delayed) throws Exception {
    java.util.Random random = new java.util.Random(7);
    Cohort filler = client(backend);
    try {
      WorkQueue queue = WorkQueue.builder(filler, "/q").build();
      List<CompletableFuture<String>> window = new ArrayList<>();
      for (int i = 0; i < depth; i++) {
        window.add(delayed
            ? queue.putAsync(new byte[16], PutOptions.defaults().withDelay(Duration.ofDays(1)
                .plusMillis((long) (random.nextDouble() * Duration.ofDays(29).toMillis()))))
            : queue.putAsync(new byte[16]));
        if (window.size() == FILL_WINDOW) {
          CompletableFuture.allOf(window.toArray(CompletableFuture[]::new)).get(120, TimeUnit.SECONDS);
          window.clear();
        }
      }
      CompletableFuture.allOf(window.toArray(CompletableFuture[]::new)).get(120, TimeUnit.SECONDS);
      queue.close();
    } finally {
      filler.close();
    }
  }

  private static Cohort client(CoordinationBackend backend) throws InterruptedException {
    Cohort client = Cohort.builder(backend).sessionTimeout(Duration.ofSeconds(60)).build();
    client.start();
    return client;
  }

  /** A backend to measure on, and what to stop after. */
  private record Harness(CoordinationBackend backend, AutoCloseable server, Path dir) implements AutoCloseable {
    static Harness open(String name) throws Exception {
      switch (name) {
        case "inmemory":
          return new Harness(InMemoryBackend.create(), null, null);
        case "replicated":
          return new Harness(ReplicatedBackend.create(), null, null);
        case "zookeeper": {
          Path dir = Files.createTempDirectory("queue-depth-zk");
          ZooKeeperServer server = new ZooKeeperServer(dir.resolve("snap").toFile(), dir.resolve("log").toFile(), 2000);
          ServerCnxnFactory factory = ServerCnxnFactory.createFactory(new InetSocketAddress("127.0.0.1", 0), 100);
          factory.startup(server);
          ZooKeeperBackend backend = ZooKeeperBackend.connect("127.0.0.1:" + factory.getLocalPort());
          return new Harness(backend, () -> {
            factory.shutdown();
            server.shutdown();
          }, dir);
        }
        default:
          throw new IllegalArgumentException("unknown backend " + name + " (inmemory, replicated, zookeeper)");
      }
    }

    @Override
    public void close() throws Exception {
      backend.close();
      if (server != null) {
        server.close();
      }
      if (dir != null) {
        try (Stream<Path> walk = Files.walk(dir)) {
          walk.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
      }
    }
  }

}
