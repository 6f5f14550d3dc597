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
