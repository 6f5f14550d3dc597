package dev.cohort.recipes;

/**
 * Told of every {@link ConnectionState} transition of a {@link Cohort} client, once per
 * transition and in order. It runs on the client's listener executor, never on a backend thread
 * and never while a recipe's internal lock is held, so it may block briefly or call the client.
 */
@FunctionalInterface
public interface ConnectionStateListener {
  void stateChanged(Cohort client, ConnectionState newState);
}
