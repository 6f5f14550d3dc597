package dev.cohort.recipes.barrier;

/**
 * A {@link CountDownLatch} was created at a path where a latch with another initial count already
 * exists. Nothing changed. Retrying with the same count fails the same way: use the existing
 * latch's count (or {@link CountDownLatch#join}), or another path.
 */
public final class LatchCountMismatchException extends IllegalStateException {
  private static final long serialVersionUID = 1L;

  LatchCountMismatchException(String path, long existing, long requested) {
    super("the latch at " + path + " was created with count " + existing + ", not " + requested);
  }
}
