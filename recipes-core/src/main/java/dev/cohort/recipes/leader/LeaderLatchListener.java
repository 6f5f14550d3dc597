package dev.cohort.recipes.leader;

/**
 * Told when a {@link LeaderLatch} gains or loses leadership, once per change and in order, on the
 * client's listener executor (never on a backend thread, never under the latch's lock).
 */
public interface LeaderLatchListener {

  /** This participant leads now, in {@code term}. */
  void isLeader(LeadershipTerm term);

  /** This participant no longer leads; {@code term} is the term that ended. */
  void notLeader(LeadershipTerm term);
}
