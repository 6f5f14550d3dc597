package dev.cohort.testing;

import dev.cohort.inmemory.InMemoryBackend;
import dev.cohort.inmemory.ManualTimeSource;
import dev.cohort.spi.CoordinationBackend;
import dev.cohort.spi.Session;
import dev.cohort.spi.TimeSource;
import java.time.Duration;
import java.util.Optional;

/** The in-memory backend on a manual clock; every session fault maps onto {@code InMemoryFaults}. */
final class InMemoryEngine implements Engine {
  private final ManualTimeSource time = new ManualTimeSource();
  private final InMemoryBackend backend = InMemoryBackend.builder().timeSource(time).build();

  @Override
  public CoordinationBackend backend() {
    return backend;
  }

  @Override
  public Optional<TimeSource> clientClock() {
    return Optional.of(time);
  }

  /** The service keeps the session until the test advances time past its timeout. */
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
