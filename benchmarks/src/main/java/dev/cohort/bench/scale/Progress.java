package dev.cohort.bench.scale;

import java.time.Duration;

/**
 * A count that background work (a chain of lock handoffs, listener events) advances and a batch
 * waits on, with a bound: a point that stops making progress fails instead of hanging the sweep.
 */
public final class Progress {
  private long count;
  private long reported;

  /** Adds one. */
  public synchronized void increment() {
    count++;
    notifyAll();
  }

  /** The count now. */
  public synchronized long get() {
    return count;
  }

  /**
   * Waits until the count is at least {@code target}.
   *
   * @throws IllegalStateException if it is not within {@code timeout}
   */
  public synchronized void awaitAtLeast(long target, Duration timeout) throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (count < target) {
      long left = deadline - System.nanoTime();
      if (left <= 0) {
        throw new IllegalStateException("stalled: " + count + " of " + target + " after " + timeout);
      }
      wait(Math.max(1, left / 1_000_000));
    }
  }

  /**
   * Waits until {@code atLeast} more have happened since the last call, then returns how many did:
   * a batch of a point whose operations run on their own, with none lost between batches.
   */
  public synchronized long awaitMore(long atLeast, Duration timeout) throws InterruptedException {
    awaitAtLeast(reported + atLeast, timeout);
    long done = count - reported;
    reported = count;
    return done;
  }
}
