package dev.cohort.recipes.leader;

import java.util.Optional;

/**
 * Told when the leader a {@link LeadershipObserver} sees changes: once per change, in order, on
 * the client's listener executor (never on a backend thread, never under the observer's lock).
 */
@FunctionalInterface
public interface LeadershipObserverListener {

  /**
   * The election now has {@code leader} (empty: nobody is in line). The first call after {@link
   * LeadershipObserver#start()} tells the state first read, empty or not; every later call tells a
   * different state, and a term told once is never told again.
   */
  void leaderChanged(Optional<LeadershipTerm> leader);
}
