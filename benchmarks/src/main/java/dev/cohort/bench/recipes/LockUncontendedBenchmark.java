package dev.cohort.bench.recipes;

import dev.cohort.inmemory.InMemoryBackend;
import dev.cohort.recipes.Cohort;
import dev.cohort.recipes.FencingToken;
import dev.cohort.recipes.locks.DistributedLock;
import java.util.concurrent.TimeUnit;
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
 * One thread, one session, one lock: acquire then release, in-memory backend. Target (BENCHMARKS.md):
 * at least 200k cycles/s; Curator on an embedded ZooKeeper does 601.
 *
 * <p>Run: {@code java -jar benchmarks/target/benchmarks.jar LockUncontendedBenchmark}
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class LockUncontendedBenchmark {

  private InMemoryBackend backend;
  private Cohort client;
  private DistributedLock lock;
  private DistributedLock reentrant;

  @Setup(Level.Trial)
  public void setUp() throws InterruptedException {
    backend = InMemoryBackend.create();
    client = Cohort.builder(backend).namespace("/bench").build();
    client.start();
    lock = new DistributedLock(client, "/locks/uncontended");
    reentrant = new DistributedLock(client, "/locks/reentrant");
    reentrant.acquire();
  }

  @TearDown(Level.Trial)
  public void tearDown() {
    client.close();
    backend.close();
  }

  /** create + getChildren on acquire, delete on release. */
  @Benchmark
  public FencingToken acquireRelease() throws InterruptedException {
    FencingToken token = lock.acquire();
    lock.release();
    return token;
  }

  /** A reentrant acquire is counted locally: no request at all. */
  @Benchmark
  public FencingToken reentrantAcquireRelease() throws InterruptedException {
    FencingToken token = reentrant.acquire();
    reentrant.release();
    return token;
  }
}
