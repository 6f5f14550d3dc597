package dev.cohort.testing;

import dev.cohort.spi.CoordinationBackend;
import dev.cohort.spi.Session;
import java.time.Duration;
import java.util.OptionalInt;

/**
 * One backend with its fault controls, behind {@link CohortFixture}. Each backend has its own class
 * so that a backend's optional jars (ZooKeeper's) are loaded only when that backend is asked for.
 * {@link CohortFixture} calls a control only after checking the engine offers it.
 */
interface Engine extends AutoCloseable {

  CoordinationBackend backend();

  /**
   * The backend the fixture's clients open their sessions on: {@link #backend()}, except where
   * cutting a session off needs a route of the fixture's own (ZooKeeper: through a proxy).
   */
  default CoordinationBackend clientBackend() {
    return backend();
  }

  /**
   * The clock the fixture's clients measure time on, when it is not the system clock: the virtual
   * clock of a backend whose timeouts pass only when the test advances time.
   */
  default java.util.Optional<dev.cohort.spi.TimeSource> clientClock() {
    return java.util.Optional.empty();
  }

  /**
   * Cuts {@code session} (opened on {@link #clientBackend()}) off from the service for good, as the
   * death of its process would: the service keeps it until its timeout passes, then expires it.
   * Idempotent; must not block for long.
   */
  void cutOff(Session session);

  /** Undoes what {@link #cutOff} set up around {@code session}, so closing it at the end is quick. */
  default void release(Session session) {}

  default void disconnect(Session session) {
    throw new AssertionError("not offered");
  }

  default void reconnect(Session session) {
    throw new AssertionError("not offered");
  }

  /** Asks the service to expire the session; returns once the service has removed it. */
  void expire(Session session);

  default void loseNextReply(Session session) {
    throw new AssertionError("not offered");
  }

  default void advanceTime(Duration duration) {
    throw new AssertionError("not offered");
  }

  default int replicas() {
    return 1;
  }

  default void crash(int replica) {
    throw new AssertionError("not offered");
  }

  default void restart(int replica) {
    throw new AssertionError("not offered");
  }

  default void partition(int[]... groups) {
    throw new AssertionError("not offered");
  }

  default int isolateLeader() {
    throw new AssertionError("not offered");
  }

  default void heal() {
    throw new AssertionError("not offered");
  }

  /** Waits (bounded) for a leader and returns it; fails at once if none can be elected. */
  default int awaitLeader(String what) {
    throw new AssertionError("not offered");
  }

  default OptionalInt leader() {
    throw new AssertionError("not offered");
  }

  default boolean isRunning(int replica) {
    throw new AssertionError("not offered");
  }

  /** Where other processes reach the service, for a service with an address. */
  default java.util.Optional<String> connectString() {
    return java.util.Optional.empty();
  }

  @Override
  void close();
}
