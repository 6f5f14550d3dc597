package dev.cohort.inmemory;

import dev.cohort.spi.CoordinationBackend;
import dev.cohort.spi.Session;
import dev.cohort.tck.BackendFixture;
import dev.cohort.tck.FaultControl;
import java.time.Duration;
import java.util.EnumSet;
import java.util.Set;

/**
 * A {@link BackendFixture} over a fresh {@link InMemoryBackend} on a {@link ManualTimeSource}: every
 * fault control is supported, and session timeouts pass only when a test advances the clock.
 */
public final class InMemoryFixture implements BackendFixture {
  private final ManualTimeSource time = new ManualTimeSource();
  private final InMemoryBackend backend;

  /** A fixture with the backend's defaults. */
  public InMemoryFixture() {
    this(InMemoryBackend.builder());
  }

  /** A fixture over {@code builder}, whose time source this fixture replaces with its own. */
  public InMemoryFixture(InMemoryBackend.Builder builder) {
    this.backend = builder.timeSource(time).build();
  }

  @Override
  public InMemoryBackend backend() {
    return backend;
  }

  /** Watch events delivered to every session so far: what herd tests count. */
  public long watchEventsDelivered() {
    return backend.watchEventsDelivered();
  }

  /** The watches registered on the backend now, over every session. */
  public int registeredWatches() {
    return backend.registeredWatches();
  }

  /** The virtual clock the backend runs on. */
  public ManualTimeSource time() {
    return time;
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

  /** The backend as the SPI type, for code that should not see the in-memory extras. */
  public CoordinationBackend spi() {
    return backend;
  }
}
