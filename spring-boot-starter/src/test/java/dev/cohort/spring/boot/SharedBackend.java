package dev.cohort.spring.boot;

import dev.cohort.spi.Capability;
import dev.cohort.spi.CoordinationBackend;
import dev.cohort.spi.Session;
import dev.cohort.spi.SessionConfig;
import java.util.Set;
import java.util.concurrent.CompletableFuture;

/**
 * A backend bean that several application contexts share: it opens sessions on the one backend
 * the test owns, and closing a context leaves that backend running (the test closes it).
 */
public final class SharedBackend implements CoordinationBackend {
  private final CoordinationBackend backend;

  public SharedBackend(CoordinationBackend backend) {
    this.backend = backend;
  }

  @Override
  public CompletableFuture<Session> openSession(SessionConfig config) {
    return backend.openSession(config);
  }

  @Override
  public Set<Capability> capabilities() {
    return backend.capabilities();
  }

  @Override
  public String name() {
    return backend.name();
  }

  @Override
  public void close() {
    // the test owns the backend
  }
}
