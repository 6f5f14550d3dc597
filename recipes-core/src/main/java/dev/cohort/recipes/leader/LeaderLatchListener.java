package dev.cohort.recipes.leader;

/**
 * Told when a {@link LeaderLatch} gains or loses leadership, once per change and in order, on the
 * client's listener executor (never on a backend thread, never under the latch's lock). Calls to
 * one listener alternate: every {@code isLeader} is followed by at most one {@code notLeader} for
 * the same term before the next {@code isLeader}. Under {@link SuspendPolicy#RELEASE_ON_SUSPEND} a
 * term may be reported again (an equal {@link LeadershipTerm}) after a suspension ended it, when
 * the reconnected session still owns the term's node; that report's {@link
 * LeadershipTerm#isReconfirmation()} is true. A listener that blocks delays the latch's
 * next claim of leadership, since claims run on the same executor.
 */
public interface LeaderLatchListener {

  /** This participant leads now, in {@code term}. */
  void isLeader(LeadershipTerm term);

  /** This participant no longer leads; {@code term} is the term that ended. */
  void notLeader(LeadershipTerm term);
}
