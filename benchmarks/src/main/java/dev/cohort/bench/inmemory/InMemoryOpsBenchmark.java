package dev.cohort.bench.inmemory;

import dev.cohort.inmemory.InMemoryBackend;
import dev.cohort.spi.Children;
import dev.cohort.spi.CreateMode;
import dev.cohort.spi.Created;
import dev.cohort.spi.NodeData;
import dev.cohort.spi.Session;
import dev.cohort.spi.Stat;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Throughput of single synchronous operations on the in-memory backend: each benchmark call issues
 * one operation on its thread's own session and joins its future, the way a recipe's blocking path
 * does. Run with {@code -t 1} and {@code -t 2} to see the effect of the one backend lock.
 *
 * <p>Reads cycle over {@value #NODES} nodes with 16-byte data under {@code /bench}; getChildren reads
 * a parent of 10 children. setData writes the same shared nodes. create makes unique nodes under a
 * per-thread parent and removes them before the next iteration (untimed), so the tree stays small.
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Fork(value = 1, jvmArgsAppend = {"-Xmx2g"})
@Warmup(iterations = 2, time = 1)
@Measurement(iterations = 3, time = 1)
public class InMemoryOpsBenchmark {

  static final int NODES = 1024;
  static final byte[] DATA = new byte[16];

  /** One backend shared by every benchmark thread, with the nodes the reads use. */
  @State(Scope.Benchmark)
  public static class Backend {
    InMemoryBackend backend;
    final String[] paths = new String[NODES];
    final AtomicInteger threads = new AtomicInteger();

    @Setup(Level.Trial)
    public void setUp() {
      backend = InMemoryBackend.create();
      Session setup = backend.openSession().join();
      setup.create("/bench", new byte[0], CreateMode.PERSISTENT).join();
      for (int i = 0; i < NODES; i++) {
        paths[i] = setup.create("/bench/n" + i, DATA, CreateMode.PERSISTENT).join().path();
      }
      setup.create("/small", new byte[0], CreateMode.PERSISTENT).join();
      for (int i = 0; i < 10; i++) {
        setup.create("/small/c" + i, DATA, CreateMode.PERSISTENT).join();
      }
    }

    @TearDown(Level.Trial)
    public void tearDown() {
      backend.close();
    }
  }

  /** One session per benchmark thread, with its own parent for creates. */
  @State(Scope.Thread)
  public static class Client {
    Session session;
    String[] paths;
    String parent;
    String prefix;
    int next;
    int created;

    @Setup(Level.Trial)
    public void setUp(Backend shared) {
      session = shared.backend.openSession().join();
      paths = shared.paths;
      parent = "/t" + shared.threads.incrementAndGet();
      prefix = parent + "/n";
      session.create(parent, new byte[0], CreateMode.PERSISTENT).join();
    }

    /**
     * Deletes what the previous iteration's creates made. At the start of an iteration rather than
     * the end of one: JMH may tear the shared backend down before another thread's iteration
     * teardown runs.
     */
    @Setup(Level.Iteration)
    public void removeCreated() {
      for (int i = 0; i < created; i++) {
        session.delete(prefix + i, -1).join();
      }
      created = 0;
    }

    String nextPath() {
      return paths[next++ & (NODES - 1)];
    }
  }

  @Benchmark
  public NodeData getData(Client c) {
    return c.session.getData(c.nextPath()).join();
  }

  @Benchmark
  public Stat exists(Client c) {
    return c.session.exists(c.nextPath()).join();
  }

  @Benchmark
  public Children getChildren(Client c) {
    return c.session.getChildren("/small").join();
  }

  @Benchmark
  public Stat setData(Client c) {
    return c.session.setData(c.nextPath(), DATA, -1).join();
  }

  @Benchmark
  public Created create(Client c) {
    return c.session.create(c.prefix + c.created++, DATA, CreateMode.PERSISTENT).join();
  }

  /** One create and one delete of the same node: the figure the 500k pairs/s target is about. */
  @Benchmark
  public Void createDeletePair(Client c) {
    String path = c.session.create(c.prefix + "pair", DATA, CreateMode.PERSISTENT).join().path();
    return c.session.delete(path, -1).join();
  }
}
