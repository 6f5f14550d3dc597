package dev.cohort.bench.inmemory;

import dev.cohort.inmemory.InMemoryBackend;
import dev.cohort.spi.CreateMode;
import dev.cohort.spi.Session;
import java.lang.management.ManagementFactory;
import java.lang.ref.Reference;
import java.util.Locale;
import org.openjdk.jol.info.GraphLayout;

/**
 * Measures the memory an in-memory znode costs beyond its name and data bytes.
 *
 * <p>Method: open a backend and a session, create {@code /m}, force full GCs and read the used heap;
 * create {@code count} persistent children {@code /m/n0 .. /m/n<count-1>} with 16 bytes of data each
 * through the public API; force full GCs and read the used heap again. The difference divided by
 * {@code count}, minus the average name length in bytes (names are Latin-1, one byte per character)
 * and minus 16 data bytes, is the per-znode overhead: node object, child-map entry and its share of
 * the map's table, the name's String and array headers, the data array's header. With {@code --jol}
 * it also walks the backend's object graph with JOL (exact, but slow) and reports the same
 * difference from that.
 *
 * <p>Usage: {@code java -Xmx2g -XX:+UseSerialGC -cp benchmarks.jar
 * dev.cohort.bench.inmemory.InMemoryFootprint [count] [--jol]}
 */
public final class InMemoryFootprint {

  private InMemoryFootprint() {}

  public static void main(String[] args) {
    int count = args.length > 0 && !args[0].startsWith("--") ? Integer.parseInt(args[0]) : 1_000_000;
    boolean jol = java.util.Arrays.asList(args).contains("--jol");
    byte[] data = new byte[16];
    InMemoryBackend backend = InMemoryBackend.create();
    Session session = backend.openSession().join();
    session.create("/m", new byte[0], CreateMode.PERSISTENT).join();
    long jolBefore = jol ? GraphLayout.parseInstance(backend).totalSize() : 0;
    long before = usedHeapAfterGc();
    long nameBytes = 0;
    for (int i = 0; i < count; i++) {
      String name = "n" + i;
      nameBytes += name.length();
      session.create("/m/" + name, data, CreateMode.PERSISTENT).join();
    }
    long after = usedHeapAfterGc();
    double names = (double) nameBytes / count;
    report("heap after GC", count, after - before, names, data.length);
    if (jol) {
      long jolAfter = GraphLayout.parseInstance(backend).totalSize();
      report("JOL object graph", count, jolAfter - jolBefore, names, data.length);
    }
    Reference.reachabilityFence(session);
    backend.close();
  }

  private static void report(String method, int count, long bytes, double nameBytes, int dataBytes) {
    double perNode = (double) bytes / count;
    System.out.printf(Locale.ROOT,
        "%s: %d znodes took %,d bytes = %.1f bytes/znode; minus name (%.2f) and data (%d) = %.1f bytes/znode overhead%n",
        method, count, bytes, perNode, nameBytes, dataBytes, perNode - nameBytes - dataBytes);
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
