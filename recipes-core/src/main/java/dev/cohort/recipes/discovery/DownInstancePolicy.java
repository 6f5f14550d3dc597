package dev.cohort.recipes.discovery;

import java.time.Duration;
import java.util.Objects;

/**
 * When a {@link ServiceProvider} stops picking an instance its callers report as failing: after
 * {@code errorThreshold} errors ({@link ServiceProvider#noteError}) within {@code timeout} of the
 * first, the instance is down for {@code timeout} from the error that reached the threshold; then it
 * is picked again and its count starts afresh. Errors farther apart than {@code timeout} never add
 * up. Time is the provider client's {@link dev.cohort.spi.TimeSource}.
 *
 * <p>Down is this provider's local opinion: nothing is written, other providers are unaffected, and
 * {@link ServiceProvider#instances()} still lists down instances.
 *
 * @param timeout how long errors count together, and how long a down instance is skipped; positive
 * @param errorThreshold errors that put an instance down; at least 1
 */
public record DownInstancePolicy(Duration timeout, int errorThreshold) {

  /** Two errors within 30 seconds put an instance down for 30 seconds. */
  public static final DownInstancePolicy DEFAULT = new DownInstancePolicy(Duration.ofSeconds(30), 2);

  /**
   * @throws IllegalArgumentException if {@code timeout} is not positive or {@code errorThreshold} is
   *     below 1
   */
  public DownInstancePolicy {
    Objects.requireNonNull(timeout, "timeout");
    if (timeout.isNegative() || timeout.isZero()) {
      throw new IllegalArgumentException("timeout must be positive: " + timeout);
    }
    if (errorThreshold < 1) {
      throw new IllegalArgumentException("errorThreshold must be at least 1: " + errorThreshold);
    }
  }
}
