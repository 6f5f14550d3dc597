package dev.cohort.spi;

/**
 * Told of every state transition of a {@link Session}, once each, in order, on the session's event
 * thread and never while a backend lock is held.
 */
@FunctionalInterface
public interface SessionStateListener {
  void stateChanged(Session session, SessionState newState);
}
