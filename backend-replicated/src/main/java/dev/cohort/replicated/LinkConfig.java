package dev.cohort.replicated;

import java.time.Duration;
import java.util.Objects;

/**
 * How the simulated network treats messages on one directed link: each message is delayed by a
 * uniformly random time in {@code [minDelay, maxDelay]} (so messages may overtake each other), is
 * dropped with probability {@code dropRate}, and is delivered twice with probability {@code
 * duplicateRate}.
 *
 * <p>Guarantees: probabilities are validated to lie in {@code [0, 1]} and delays to be ordered and
 * non-negative, so a bad setting fails at construction with {@link IllegalArgumentException}.
 */
public record LinkConfig(Duration minDelay, Duration maxDelay, double dropRate, double duplicateRate) {

  /** A perfect link: no delay, no loss, no duplicates (messages still go through the event loop). */
  public static final LinkConfig PERFECT = new LinkConfig(Duration.ZERO, Duration.ZERO, 0, 0);

  public LinkConfig {
    Objects.requireNonNull(minDelay, "minDelay");
    Objects.requireNonNull(maxDelay, "maxDelay");
    if (minDelay.isNegative() || maxDelay.compareTo(minDelay) < 0) {
      throw new IllegalArgumentException("need 0 <= minDelay <= maxDelay, got " + minDelay + ", " + maxDelay);
    }
    if (!(dropRate >= 0 && dropRate <= 1) || !(duplicateRate >= 0 && duplicateRate <= 1)) {
      throw new IllegalArgumentException("rates must lie in [0, 1], got " + dropRate + ", " + duplicateRate);
    }
  }
}
