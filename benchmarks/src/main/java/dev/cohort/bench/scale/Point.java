package dev.cohort.bench.scale;

/**
 * One scenario set up at one size, ready to be measured: the harness calls {@link #runBatch()}
 * until a round's time is up, and divides the round's time and the requests counted in it by the
 * operations the batches reported.
 */
@FunctionalInterface
public interface Point extends AutoCloseable {

  /**
   * Does at least one operation and returns how many it did. A batch should take well under the
   * round's time (milliseconds); it may wait for other threads, never without a bound.
   *
   * @throws Refused if the recipe refused the work at this size (the point is reported as refused)
   */
  long runBatch() throws Exception;

  /** Stops background work; the harness then closes every client of the {@link Env}. */
  @Override
  default void close() throws Exception {}
}
