package dev.cohort.replicated.recipes;

import static org.awaitility.Awaitility.await;

import dev.cohort.replicated.ReplicatedBackend;
import dev.cohort.replicated.ReplicatedFixture;
import dev.cohort.spi.Session;
import dev.cohort.spi.SessionState;
import dev.cohort.tck.BackendFixture;
import dev.cohort.tck.FaultControl;
import java.time.Duration;
import java.util.Set;

/**
 * The replicated fixture for the recipe suites: three replicas, with disconnect and reconnect that
 * return once the session's client has seen the change, as {@link BackendFixture} describes and the
 * ZooKeeper fixture does. The replicated backend applies them on its loop and the session learns of
 * them a moment later; a suite that counts retries around a reconnect would otherwise see one more.
 */
final class ReplicatedRecipeFixture implements BackendFixture {
  private static final Duration CONTROL_TIMEOUT = Duration.ofSeconds(20);

  private final ReplicatedFixture replicated = new ReplicatedFixture();

  @Override
  public ReplicatedBackend backend() {
    return replicated.backend();
  }

  @Override
  public Set<FaultControl> faults() {
    return replicated.faults();
  }

  /** Returns once the session is SUSPENDED (or already ended). */
  @Override
  public void disconnect(Session session) {
    replicated.disconnect(session);
    await().atMost(CONTROL_TIMEOUT).until(() -> !session.state().isConnected());
  }

  /** Returns once the session is RECONNECTED, or has learned it expired. */
  @Override
  public void reconnect(Session session) {
    replicated.reconnect(session);
    await().atMost(CONTROL_TIMEOUT)
        .until(() -> session.state() == SessionState.RECONNECTED || session.state().isTerminal());
  }

  @Override
  public void expire(Session session) {
    replicated.expire(session);
  }

  @Override
  public void loseNextReply(Session session) {
    replicated.loseNextReply(session);
  }

  @Override
  public void advanceTime(Duration duration) {
    replicated.advanceTime(duration);
  }

  @Override
  public void close() {
    replicated.close();
  }
}
