package dev.cohort.recipes.leader;

/**
 * The work a {@link LeaderSelector} does while it leads. Leadership lasts exactly as long as
 * {@link #takeLeadership} runs: return to give it up.
 */
@FunctionalInterface
public interface LeaderSelectorListener {

  /**
   * Called on the selector's own thread when this participant becomes leader. When leadership is
   * lost (connection SUSPENDED under the default policy, or session LOST) the thread is
   * interrupted: stop promptly, and fence writes with {@code term.fencingToken()}.
   */
  void takeLeadership(LeadershipTerm term) throws InterruptedException;
}
