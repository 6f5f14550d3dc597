package dev.cohort.tck;

import dev.cohort.spi.CoordinationBackend;
import dev.cohort.spi.Session;
import dev.cohort.spi.SessionConfig;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/**
 * A backend under test plus the fault controls it offers. Conformance suites (the backend TCK and
 * the recipe suites) get one per test from a small subclass per backend, and skip a test whose
 * controls are missing, naming the control as the reason.
 *
 * <p>Each control acts from the service's point of view and is observed by the session's client as
 * it would be in production: a disconnect makes the session {@code SUSPENDED}; an expiry deletes the
 * session's ephemerals and fires the other sessions' watches.
 */
public interface BackendFixture extends AutoCloseable {

  /** The backend under test, fresh for this fixture: an empty tree apart from the root and /zookeeper. */
  CoordinationBackend backend();

  /** The controls this fixture supports. */
  Set<FaultControl> faults();

  /**
   * The largest data, in bytes, one node may hold on this backend: a create or setData of exactly
   * this many bytes succeeds, and one byte more fails with DATA_TOO_LARGE and changes nothing.
   * Defaults to {@link CoordinationBackend#DEFAULT_MAX_DATA_BYTES}; a fixture whose backend is
   * configured otherwise (or whose service reserves room for packet headers) says so here.
   */
  default int maxDataBytes() {
    return CoordinationBackend.DEFAULT_MAX_DATA_BYTES;
  }

  /**
   * How long a conformance test waits for the service's background work (removal of emptied
   * container nodes and expired TTL nodes). On a fixture with {@link FaultControl#VIRTUAL_TIME} the
   * suite also moves the clock forward while it waits.
   */
  default Duration backgroundWorkTimeout() {
    return Duration.ofSeconds(30);
  }

  /** Whether {@code control} is supported. */
  default boolean supports(FaultControl control) {
    return faults().contains(control);
  }

  /** Opens a session with the default configuration and waits for it. */
  default Session openSession() {
    return openSession(SessionConfig.DEFAULT_SESSION_TIMEOUT);
  }

  /** Opens a session with {@code sessionTimeout} and waits (bounded) for it to be connected. */
  default Session openSession(Duration sessionTimeout) {
    try {
      return backend().openSession(SessionConfig.withTimeout(sessionTimeout)).get(30, TimeUnit.SECONDS);
    } catch (Exception e) {
      throw new IllegalStateException("could not open a session on " + backend().name(), e);
    }
  }

  /**
   * Cuts {@code session} off from the service: it becomes SUSPENDED, operations in flight and new
   * ones fail with ConnectionLoss, its watches wait. The service keeps the session until its
   * timeout passes. Needs {@link FaultControl#DISCONNECT}.
   */
  void disconnect(Session session);

  /**
   * Lets a disconnected session reach the service again: RECONNECTED if it has not expired (its
   * watches re-armed, firing if their nodes changed meanwhile), else EXPIRED. Needs {@link
   * FaultControl#DISCONNECT}.
   */
  void reconnect(Session session);

  /**
   * Makes the service expire {@code session} now: its ephemerals are deleted and the watches this
   * triggers fire for other sessions. The session's own client sees EXPIRED (at once if connected,
   * otherwise when it reconnects). Needs {@link FaultControl#EXPIRE}.
   */
  void expire(Session session);

  /**
   * The next operation {@code session} issues is applied by the service but its reply is lost: its
   * future fails with ConnectionLoss, and the session goes SUSPENDED then RECONNECTED. Needs {@link
   * FaultControl#LOSE_REPLY}.
   */
  void loseNextReply(Session session);

  /**
   * Moves the service's clock forward, expiring every disconnected session whose timeout passes.
   * Needs {@link FaultControl#VIRTUAL_TIME}.
   */
  void advanceTime(Duration duration);

  /** Closes the backend and everything the fixture started. */
  @Override
  void close();
}
