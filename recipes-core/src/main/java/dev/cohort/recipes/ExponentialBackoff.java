package dev.cohort.recipes;

import java.time.Duration;
import java.util.Objects;
import java.util.Optional;
import java.util.random.RandomGenerator;

/**
 * Bounded exponential backoff with jitter: retry {@code n} waits a random time in
 * {@code [d/2, d]}, where {@code d = min(maxDelay, baseDelay × 2^(n-1))}. Jitter keeps many clients
 * that lost the service at once from retrying in lock-step; the lower bound of {@code d/2} keeps the
 * backoff growing. Gives up after {@code maxRetries} retries or once {@code maxElapsed} has passed.
 *
 * @param baseDelay the nominal delay before the first retry; positive
 * @param maxDelay the cap on the nominal delay; at least {@code baseDelay}
 * @param maxRetries the number of retries after the first attempt; not negative
 * @param maxElapsed no retry starts after this much time since the first attempt; positive
 */
public record ExponentialBackoff(Duration baseDelay, Duration maxDelay, int maxRetries, Duration maxElapsed)
    implements RetryPolicy {

  public ExponentialBackoff {
    Objects.requireNonNull(baseDelay, "baseDelay");
    Objects.requireNonNull(maxDelay, "maxDelay");
    Objects.requireNonNull(maxElapsed, "maxElapsed");
    if (baseDelay.isNegative() || baseDelay.isZero()) {
      throw new IllegalArgumentException("baseDelay must be positive: " + baseDelay);
    }
    if (maxDelay.compareTo(baseDelay) < 0) {
      throw new IllegalArgumentException("maxDelay " + maxDelay + " is below baseDelay " + baseDelay);
    }
    if (maxRetries < 0) {
      throw new IllegalArgumentException("maxRetries must not be negative: " + maxRetries);
    }
    if (maxElapsed.isNegative() || maxElapsed.isZero()) {
      throw new IllegalArgumentException("maxElapsed must be positive: " + maxElapsed);
    }
  }

  @Override
  public Optional<Duration> delayBeforeRetry(int retry, Duration elapsed, RandomGenerator random) {
    if (retry < 1 || retry > maxRetries || elapsed.compareTo(maxElapsed) >= 0) {
      return Optional.empty();
    }
    long nominal = nominalDelayNanos(retry);
    long half = nominal / 2;
    return Optional.of(Duration.ofNanos(half + (half == 0 ? 0 : random.nextLong(half + 1))));
  }

  /** {@code min(maxDelay, baseDelay × 2^(retry-1))} in nanoseconds, without overflow. */
  long nominalDelayNanos(int retry) {
    long base = baseDelay.toNanos();
    long cap = maxDelay.toNanos();
    int shift = Math.min(retry - 1, 62);
    if (base > (cap >> shift)) {
      return cap;
    }
    return Math.min(cap, base << shift);
  }
}
