package dev.cohort.spring.boot.health;

import dev.cohort.recipes.Cohort;
import dev.cohort.recipes.ConnectionState;
import java.util.Objects;
import org.springframework.boot.health.contributor.AbstractHealthIndicator;
import org.springframework.boot.health.contributor.Health;

/**
 * Reports a {@link Cohort} client's session: UP while connected ({@link ConnectionState#CONNECTED}
 * or {@link ConnectionState#RECONNECTED}), DOWN otherwise (suspended, lost, not started, closed).
 * Details: {@code state}, {@code backend}, {@code namespace} and, while a session exists, {@code
 * sessionId} in hex. Never blocks and sends nothing: it reads the client's current state.
 *
 * <p>A SUSPENDED session may still be alive on the service, and the locks and leadership it holds
 * with it; DOWN says that this process cannot currently prove it.
 */
public class CohortHealthIndicator extends AbstractHealthIndicator {

  private final Cohort client;

  /**
   * An indicator for {@code client}.
   *
   * @param client the client to report on
   */
  public CohortHealthIndicator(Cohort client) {
    super("Cohort health check failed");
    this.client = Objects.requireNonNull(client, "client");
  }

  @Override
  protected void doHealthCheck(Health.Builder builder) {
    builder.withDetail("backend", client.backend().name()).withDetail("namespace", client.namespace());
    ConnectionState state = client.connectionState();
    if (client.isClosed()) {
      builder.down().withDetail("state", "CLOSED");
      return;
    }
    if (state == null) {
      builder.down().withDetail("state", "NOT_STARTED");
      return;
    }
    builder.withDetail("state", state.name()).withDetail("sessionId", Long.toHexString(client.sessionId()));
    if (state.isConnected()) {
      builder.up();
    } else {
      builder.down();
    }
  }
}
