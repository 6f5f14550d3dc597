package dev.cohort.recipes;

import dev.cohort.inmemory.InMemoryBackend;
import dev.cohort.inmemory.ManualTimeSource;
import dev.cohort.spi.CoordinationBackend;
import dev.cohort.spi.Session;
import dev.cohort.tck.BackendFixture;
import dev.cohort.tck.FaultControl;
import java.time.Duration;
import java.util.EnumSet;
import java.util.Set;

/** The in-memory backend on virtual time, with every fault control; for recipe suites. */
public final class InMemoryFixture implements BackendFixture {
  private final ManualTimeSource time = new ManualTimeSource();
  private final InMemoryBackend backend = InMemoryBackend.builder().timeSource(time).build();

  @Override
  public CoordinationBackend backend() {
    return backend;
  }

  /** Watch events delivered to every session so far: what herd tests count. */
  public long watchEventsDelivered() {
    return backend.watchEventsDelivered();
  }

  @Override
  public Set<FaultControl> faults() {
    return EnumSet.allOf(FaultControl.class);
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
    time.advance(duration);
  }

  @Override
  public void close() {
    backend.close();
  }
}
