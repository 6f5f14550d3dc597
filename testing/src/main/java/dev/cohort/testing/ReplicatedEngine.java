package dev.cohort.testing;

import dev.cohort.replicated.ReplicatedBackend;
import dev.cohort.spi.CoordinationBackend;
import dev.cohort.spi.Session;
import java.util.OptionalInt;

/** A real-time replicated cluster; faults map onto {@code ReplicatedFaults}. */
final class ReplicatedEngine implements Engine {
  private final ReplicatedBackend backend;

  ReplicatedEngine(int replicas) {
    backend = ReplicatedBackend.builder().replicas(replicas).build();
  }

  @Override
  public CoordinationBackend backend() {
    return backend;
  }

  @Override
  public void disconnect(Session session) {
    backend.faults().disconnect(session);
  }

  @Override
  public void reconnect(Session session) {
    backend.faults().reconnect(session);
  }

  @Override
  public void expire(Session session) {
    // The expiry is a replicated transaction: it needs a leader, which a just-started cluster
    // (or one that just lost its leader) may not have yet.
    CohortFixture.awaitCondition(() -> backend.faults().leader().isPresent(), "a leader to expire the session");
    backend.faults().expire(session);
  }

  @Override
  public void loseNextReply(Session session) {
    backend.faults().loseNextReply(session);
  }

  @Override
  public int replicas() {
    return backend.replicas();
  }

  @Override
  public void crash(int replica) {
    backend.faults().crash(replica);
  }

  @Override
  public void restart(int replica) {
    backend.faults().restart(replica);
  }

  @Override
  public void partition(int[]... groups) {
    backend.faults().partition(groups);
  }

  @Override
  public int isolateLeader() {
    CohortFixture.awaitCondition(() -> backend.faults().leader().isPresent(), "a leader to isolate");
    return backend.faults().isolateLeader();
  }

  @Override
  public void heal() {
    backend.faults().heal();
  }

  @Override
  public OptionalInt leader() {
    return backend.faults().leader();
  }

  @Override
  public boolean isRunning(int replica) {
    return backend.faults().isRunning(replica);
  }

  @Override
  public void close() {
    backend.close();
  }
}
