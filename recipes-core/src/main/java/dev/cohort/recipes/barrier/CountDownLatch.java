package dev.cohort.recipes.barrier;

import dev.cohort.recipes.Cohort;
import java.time.Duration;

/** Stub. */
public final class CountDownLatch {
  private CountDownLatch() {}

  /** Stub. */
  public static CountDownLatch create(Cohort client, String path, long count) throws InterruptedException {
    throw new UnsupportedOperationException("todo");
  }

  /** Stub. */
  public static CountDownLatch join(Cohort client, String path) throws InterruptedException {
    throw new UnsupportedOperationException("todo");
  }

  /** Stub. */
  public void countDown() throws InterruptedException {
    throw new UnsupportedOperationException("todo");
  }

  /** Stub. */
  public long getCount() throws InterruptedException {
    throw new UnsupportedOperationException("todo");
  }

  /** Stub. */
  public long initialCount() {
    throw new UnsupportedOperationException("todo");
  }

  /** Stub. */
  public void await() throws InterruptedException {
    throw new UnsupportedOperationException("todo");
  }

  /** Stub. */
  public boolean await(Duration timeout) throws InterruptedException {
    throw new UnsupportedOperationException("todo");
  }

  int waiters() {
    return 0;
  }
}
