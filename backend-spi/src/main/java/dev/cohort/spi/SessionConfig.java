package dev.cohort.spi;

import java.time.Duration;
import java.util.Objects;

/**
 * What a client asks of a new session.
 *
 * @param sessionTimeout how long the service keeps the session alive while it cannot hear from the
 *     client; the service may negotiate it into a range of its own (see {@link
 *     Session#sessionTimeout()}). When it passes, the session expires and its ephemeral nodes are
 *     deleted.
 */
public record SessionConfig(Duration sessionTimeout) {

  /** The session timeout used when none is given: 30 seconds. */
  public static final Duration DEFAULT_SESSION_TIMEOUT = Duration.ofSeconds(30);

  public SessionConfig {
    Objects.requireNonNull(sessionTimeout, "sessionTimeout");
    if (sessionTimeout.isNegative() || sessionTimeout.isZero()) {
      throw new IllegalArgumentException("sessionTimeout must be positive: " + sessionTimeout);
    }
  }

  /** A configuration with the default session timeout. */
  public static SessionConfig defaults() {
    return new SessionConfig(DEFAULT_SESSION_TIMEOUT);
  }

  /** A configuration with the given session timeout. */
  public static SessionConfig withTimeout(Duration sessionTimeout) {
    return new SessionConfig(sessionTimeout);
  }
}
