package dev.cohort.bench.inmemory;

import dev.cohort.inmemory.InMemoryBackend;
import dev.cohort.spi.CreateMode;
import dev.cohort.spi.Session;
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
 * Throughput of delete alone. A delete needs a node to exist, and creating it inside the timed call
 * would measure create+delete (see {@link InMemoryOpsBenchmark#createDeletePair}); so each
 * iteration is one timed batch of {@value #BATCH} deletes of nodes its untimed setup created. The
 * score is time per batch: divide {@value #BATCH} by it for deletes per second.
 */
@BenchmarkMode(Mode.SingleShotTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Fork(value = 1, jvmArgsAppend = {"-Xmx2g"})
@Warmup(iterations = 5, batchSize = InMemoryDeleteBenchmark.BATCH)
@Measurement(iterations = 10, batchSize = InMemoryDeleteBenchmark.BATCH)
public class InMemoryDeleteBenchmark {

  static final int BATCH = 100_000;

  /** One backend shared by every benchmark thread of a trial. */
  @State(Scope.Benchmark)
  public static class Backend {
    InMemoryBackend backend;
    final AtomicInteger threads = new AtomicInteger();

    @Setup(Level.Trial)
    public void setUp() {
      backend = InMemoryBackend.create();
    }

    @TearDown(Level.Trial)
    public void tearDown() {
      backend.close();
    }
  }

  /** One session per benchmark thread, with its own name prefix so threads never collide. */
  @State(Scope.Thread)
  public static class Client {
    Session session;
    String prefix;
    int next;

    @Setup(Level.Trial)
    public void open(Backend shared) {
      session = shared.backend.openSession().join();
      String parent = "/d" + shared.threads.incrementAndGet();
      session.create(parent, new byte[0], CreateMode.PERSISTENT).join();
      prefix = parent + "/n";
    }

    @Setup(Level.Iteration)
    public void fill() {
      for (int i = 0; i < BATCH; i++) {
        session.create(prefix + i, InMemoryOpsBenchmark.DATA, CreateMode.PERSISTENT).join();
      }
      next = 0;
    }
  }

  @Benchmark
  public Void delete(Client c) {
    return c.session.delete(c.prefix + c.next++, -1).join();
  }
}
