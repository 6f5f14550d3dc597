package dev.cohort.testing;

import dev.cohort.replicated.ReplicatedBackend;
import dev.cohort.replicated.ReplicatedFaults;
import dev.cohort.spi.CoordinationBackend;
import dev.cohort.spi.Session;
import dev.cohort.spi.TimeSource;
import java.time.Duration;
import java.util.OptionalInt;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/** A real-time replicated cluster; faults map onto {@code ReplicatedFaults}. */
final class ReplicatedEngine implements Engine {
  /** The longest a control waits for an election that a connected majority can hold: a hang guard. */
  static final Duration LEADER_WAIT = Duration.ofSeconds(10);

  private final ReplicatedBackend backend;

  ReplicatedEngine(int replicas) {
    backend = ReplicatedBackend.builder().replicas(replicas).build();
  }

  @Override
  public CoordinationBackend backend() {
    return backend;
  }

  /** Cut off from every replica; the leader expires the session once its timeout passes. */
  @Override
  public void cutOff(Session session) {
    backend.faults().disconnect(session);
  }

  @Override
  public void disconnect(Session session) {
    backend.faults().disconnect(session);
  }

  @Override
  public void reconnect(Session session) {
    backend.faults().reconnect(session);
  }

  /**
   * Expires through the log. An expiry needs a leader that reaches a majority: when none can exist
   * (too many replicas crashed, paused or cut off) this fails at once with {@link
   * ReplicatedFaults.NoQuorumException}; while one is merely being elected (a just-started cluster,
   * or one that just lost its leader) it asks again until {@link #LEADER_WAIT} has passed.
   */
  @Override
  public void expire(Session session) {
    ReplicatedFaults faults = backend.faults();
    TimeSource clock = TimeSource.system();
    long deadline = clock.nanoTime() + LEADER_WAIT.toNanos();
    while (true) {
      try {
        faults.expire(session);
        return;
      } catch (ReplicatedFaults.NoQuorumException e) {
        throw e;
      } catch (IllegalStateException noLeaderYet) {
        if (clock.nanoTime() - deadline > 0 || !faults.hasQuorum()) {
          throw noLeaderYet;
        }
        LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(1));
      }
    }
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
    awaitLeader("a leader to isolate");
    return backend.faults().isolateLeader();
  }

  /**
   * Waits until some replica leads, or fails at once with {@link ReplicatedFaults.NoQuorumException}
   * when none can be elected; bounded by {@link #LEADER_WAIT} as a guard.
   */
  @Override
  public int awaitLeader(String what) {
    ReplicatedFaults faults = backend.faults();
    CohortFixture.awaitCondition(() -> faults.leader().isPresent() || !faults.hasQuorum(), what, LEADER_WAIT);
    // Checked first: a replica cut off from the majority may still believe it leads for a moment.
    if (!faults.hasQuorum()) {
      throw new ReplicatedFaults.NoQuorumException("no leader can be elected: no majority of the "
          + backend.replicas() + " replicas is running and connected to one another");
    }
    OptionalInt leader = faults.leader();
    if (leader.isPresent()) {
      return leader.getAsInt();
    }
    throw new IllegalStateException("the leader was lost again while waiting for " + what);
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
