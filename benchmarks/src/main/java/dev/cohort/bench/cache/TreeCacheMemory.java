package dev.cohort.bench.cache;

import dev.cohort.inmemory.InMemoryBackend;
import dev.cohort.recipes.Cohort;
import dev.cohort.recipes.cache.TreeCache;
import dev.cohort.spi.CreateMode;
import dev.cohort.spi.Session;
import java.lang.management.ManagementFactory;
import java.lang.reflect.Field;
import java.lang.ref.Reference;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import org.openjdk.jol.info.GraphLayout;

/**
 * Measures the heap a {@link TreeCache} takes per cached node, at 1,000,000 nodes on the in-memory
 * backend.
 *
 * <p>Method: build {@code /t/b<i>/n<j>} ({@code buckets} × {@code perBucket} leaves with 16 data
 * bytes each, plus the buckets and the root) through the raw session; start a client; force full
 * GCs and read the used heap; start a tree cache of {@code /t} and wait for its initial load; force
 * full GCs and read the used heap again. The difference divided by the cached node count is the
 * cache's cost per node, including the name String, the data array and the child-map entry. The
 * same is then done for a cache that keeps stats only ({@code cacheData(false)}). The backend's own
 * tree is built before the first reading and is not counted. The load's elapsed time is printed
 * for information only (this machine is shared and noisy).
 *
 * <p>Usage: {@code java -Xmx3g -XX:+UseSerialGC -cp benchmarks/target/benchmarks.jar
 * dev.cohort.bench.cache.TreeCacheMemory [buckets] [perBucket] [--jol]} (defaults 1000 × 1000;
 * {@code --jol} also walks the cached tree's object graph with JOL, exact but slow).
 */
public final class TreeCacheMemory {

  private static boolean jol;

  private TreeCacheMemory() {}

  public static void main(String[] args) throws Exception {
    List<String> numbers = java.util.Arrays.stream(args).filter(a -> !a.startsWith("--")).toList();
    int buckets = numbers.size() > 0 ? Integer.parseInt(numbers.get(0)) : 1000;
    int perBucket = numbers.size() > 1 ? Integer.parseInt(numbers.get(1)) : 1000;
    jol = java.util.Arrays.asList(args).contains("--jol");
    byte[] data = new byte[16];
    InMemoryBackend backend = InMemoryBackend.create();
    Session session = backend.openSession().join();
    session.create("/t", new byte[0], CreateMode.PERSISTENT).join();
    for (int b = 0; b < buckets; b++) {
      String bucket = "/t/b" + b;
      session.create(bucket, new byte[0], CreateMode.PERSISTENT).join();
      List<CompletableFuture<?>> creates = new ArrayList<>(perBucket);
      for (int n = 0; n < perBucket; n++) {
        creates.add(session.create(bucket + "/n" + n, data, CreateMode.PERSISTENT));
      }
      CompletableFuture.allOf(creates.toArray(CompletableFuture[]::new)).join();
    }
    long nodes = 1L + buckets + (long) buckets * perBucket;
    System.out.printf(Locale.ROOT, "tree: %,d nodes (%d buckets x %d leaves, %d data bytes per leaf)%n",
        nodes, buckets, perBucket, data.length);

    Cohort client = Cohort.builder(backend).sessionTimeout(Duration.ofSeconds(30)).build();
    client.start();
    measure(client, true, nodes);
    measure(client, false, nodes);
    client.close();
    Reference.reachabilityFence(session);
    backend.close();
  }

  private static void measure(Cohort client, boolean cacheData, long nodes) throws InterruptedException {
    long before = usedHeapAfterGc();
    long start = System.nanoTime();
    TreeCache cache = TreeCache.builder(client, "/t").cacheData(cacheData).build();
    cache.start();
    if (!cache.awaitInitialized(Duration.ofMinutes(10))) {
      throw new IllegalStateException("the load did not finish");
    }
    long loadNanos = System.nanoTime() - start;
    long after = usedHeapAfterGc();
    if (cache.size() != nodes) {
      throw new IllegalStateException("cached " + cache.size() + " of " + nodes);
    }
    System.out.printf(Locale.ROOT,
        "cacheData=%s: %,d nodes cached in %.1f s; heap +%,d bytes = %.1f bytes/node (persistent watch: %s)%n",
        cacheData, cache.size(), loadNanos / 1e9, after - before, (double) (after - before) / nodes,
        cache.usesPersistentWatch());
    if (jol) {
      // The cache's own tree only (exact; slow): its root node, reached by reflection.
      Field root;
      try {
        root = TreeCache.class.getDeclaredField("rootNode");
        root.setAccessible(true);
        long bytes = GraphLayout.parseInstance(root.get(cache)).totalSize();
        System.out.printf(Locale.ROOT, "  JOL, the cached tree alone: %,d bytes = %.1f bytes/node%n", bytes,
            (double) bytes / nodes);
      } catch (ReflectiveOperationException e) {
        throw new IllegalStateException(e);
      }
    }
    cache.close();
    Reference.reachabilityFence(cache);
  }

  private static long usedHeapAfterGc() {
    long used = Long.MAX_VALUE;
    // Repeat until the figure stops shrinking: one System.gc() may leave floating garbage.
    for (int i = 0; i < 5; i++) {
      System.gc();
      long now = ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
      if (now >= used) {
        break;
      }
      used = now;
    }
    return used;
  }
}
