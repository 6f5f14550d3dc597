package dev.cohort.replicated;

import dev.cohort.spi.Session;
import dev.cohort.tck.BackendFixture;
import dev.cohort.tck.FaultControl;
import java.time.Duration;
import java.util.EnumSet;
import java.util.Set;

/**
 * A {@link BackendFixture} over a fresh three-replica {@link ReplicatedBackend} on the real-time
 * driver. Disconnect, expire and lost replies are supported; virtual time is not (the cluster's
 * clocks are real), so suites that need it skip.
 */
public final class ReplicatedFixture implements BackendFixture {
  private final ReplicatedBackend backend;

  /**
   * Three replicas, every session attached to replica 1 first: the TCK reads on one session what
   * another just wrote, without sync, which only a single server's view guarantees (on spread
   * sessions that read may be stale, as on a ZooKeeper ensemble). Writes still go through the
   * elected leader and commit on a majority.
   */
  public ReplicatedFixture() {
    this(ReplicatedBackend.builder().attachSessionsTo(1));
  }

  public ReplicatedFixture(ReplicatedBackend.Builder builder) {
    this.backend = builder.build();
  }

  @Override
  public ReplicatedBackend backend() {
    return backend;
  }

  /** The watches every replica's sessions hold now: what watch-leak tests count. */
  public int registeredWatches() {
    return backend.onLoop(cluster -> {
      int sum = 0;
      for (int id = 1; id <= cluster.size(); id++) {
        ReplicaService service = cluster.service(id);
        sum += service == null ? 0 : service.registeredWatches();
      }
      return sum;
    });
  }

  @Override
  public Set<FaultControl> faults() {
    return EnumSet.of(FaultControl.DISCONNECT, FaultControl.EXPIRE, FaultControl.LOSE_REPLY);
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
    backend.faults().expire(session);
  }

  @Override
  public void loseNextReply(Session session) {
    backend.faults().loseNextReply(session);
  }

  @Override
  public void advanceTime(Duration duration) {
    throw new UnsupportedOperationException("the real-time driver has no virtual time");
  }

  @Override
  public void close() {
    backend.close();
  }
}
