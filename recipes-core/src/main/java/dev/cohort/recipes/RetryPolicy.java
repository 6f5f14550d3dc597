package dev.cohort.recipes;

import java.time.Duration;
import java.util.Optional;
import java.util.random.RandomGenerator;

/**
 * Decides whether, and after how long, the client retries an operation that failed with a lost
 * connection (an outcome-unknown failure). A policy is a pure function of its arguments: the client
 * supplies the attempt number, the time elapsed on its injected clock, and its seeded random source.
 * Only outcome-unknown failures are retried, and only operations that are safe to retry.
 */
@FunctionalInterface
public interface RetryPolicy {

  /**
   * The delay before retry number {@code retry}, or empty to give up.
   *
   * @param retry 1 for the first retry, 2 for the second, …
   * @param elapsed time since the first attempt began
   * @param random source for jitter
   */
  Optional<Duration> delayBeforeRetry(int retry, Duration elapsed, RandomGenerator random);

  /** Never retries. */
  static RetryPolicy none() {
    return (retry, elapsed, random) -> Optional.empty();
  }

  /** The default: exponential backoff from 10 ms up to 1 s, at most 10 retries within 30 s. */
  static RetryPolicy defaultPolicy() {
    return new ExponentialBackoff(Duration.ofMillis(10), Duration.ofSeconds(1), 10, Duration.ofSeconds(30));
  }
}
