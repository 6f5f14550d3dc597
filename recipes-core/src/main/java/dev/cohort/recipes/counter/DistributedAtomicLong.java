package dev.cohort.recipes.counter;

import dev.cohort.recipes.AsyncOps;
import dev.cohort.recipes.Cohort;
import dev.cohort.spi.BadVersionException;
import dev.cohort.spi.CreateMode;
import dev.cohort.spi.NoNodeException;
import dev.cohort.spi.NodeData;
import dev.cohort.spi.NodeExistsException;
import dev.cohort.spi.Paths;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.function.LongPredicate;
import java.util.function.LongUnaryOperator;

/**
 * A long shared by every client, changed only by optimistic compare-and-set: read the value and its
 * version, write the new value only if the version is unchanged, and try again if someone else
 * wrote first, up to a bounded number of attempts. A missing node counts as 0 and is created by the
 * first write.
 *
 * <p>Guarantees: every successful operation is applied exactly once, atomically with respect to all
 * other operations on the same path (no lost updates); an operation that ran out of attempts changed
 * nothing and says so ({@link AtomicResult#succeeded()} false). Thread-safe.
 */
public final class DistributedAtomicLong {

  private final Cohort client;
  private final AsyncOps ops;
  private final String path;
  private final int maxAttempts;

  private DistributedAtomicLong(Cohort client, String path, int maxAttempts) {
    this.client = client;
    this.ops = client.async();
    this.path = path;
    this.maxAttempts = maxAttempts;
  }

  /**
   * The counter at {@code path}; each operation tries at most {@code maxAttempts} times when it
   * races with other writers.
   */
  public static DistributedAtomicLong of(Cohort client, String path, int maxAttempts) {
    Objects.requireNonNull(client, "client");
    Paths.validate(path);
    if (maxAttempts < 1) {
      throw new IllegalArgumentException("maxAttempts must be at least 1: " + maxAttempts);
    }
    return new DistributedAtomicLong(client, path, maxAttempts);
  }

  /** The current value (0 if the node does not exist yet). Always succeeds. */
  public long get() throws InterruptedException {
    NodeData data = readOrNull();
    return data == null ? 0 : Longs.decode(path, data.data());
  }

  /** Adds one. */
  public AtomicResult increment() throws InterruptedException {
    return add(1);
  }

  /** Subtracts one. */
  public AtomicResult decrement() throws InterruptedException {
    return add(-1);
  }

  /** Adds {@code delta}. */
  public AtomicResult add(long delta) throws InterruptedException {
    return update(v -> true, v -> v + delta);
  }

  /** Sets the value whatever it was. */
  public AtomicResult set(long value) throws InterruptedException {
    return update(v -> true, v -> value);
  }

  /**
   * Sets the value to {@code newValue} if it is {@code expected}. Fails, changing nothing, if the
   * value is something else, or if other writers kept winning for {@code maxAttempts} tries.
   */
  public AtomicResult compareAndSet(long expected, long newValue) throws InterruptedException {
    return update(v -> v == expected, v -> newValue);
  }

  /**
   * One read-decide-write loop: while the value passes {@code precondition}, try to write {@code
   * next(value)} at the version read.
   */
  private AtomicResult update(LongPredicate precondition, LongUnaryOperator next) throws InterruptedException {
    long seen = 0;
    for (int attempt = 0; attempt < maxAttempts; attempt++) {
      NodeData data = readOrNull();
      seen = data == null ? 0 : Longs.decode(path, data.data());
      if (!precondition.test(seen)) {
        return new AtomicResult(false, seen, seen);
      }
      long value = next.applyAsLong(seen);
      try {
        if (data == null) {
          await(ops.createWithParents(path, Longs.encode(value), CreateMode.PERSISTENT));
        } else {
          await(ops.setData(path, Longs.encode(value), data.stat().version()));
        }
        return new AtomicResult(true, seen, value);
      } catch (BadVersionException | NodeExistsException | NoNodeException raced) {
        // someone else wrote (or created, or deleted) first: read again
      }
    }
    return new AtomicResult(false, seen, seen);
  }

  private NodeData readOrNull() throws InterruptedException {
    client.checkUsable(); // every operation reads first
    try {
      return await(ops.getData(path, null));
    } catch (NoNodeException e) {
      return null;
    }
  }

  private static <T> T await(CompletableFuture<T> future) throws InterruptedException {
    try {
      return future.get();
    } catch (ExecutionException e) {
      if (e.getCause() instanceof RuntimeException re) {
        throw re;
      }
      throw new IllegalStateException(e.getCause());
    }
  }
}
