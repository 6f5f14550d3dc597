package dev.cohort.testing;

import java.util.Objects;

/**
 * Records leadership terms of one election and checks that at most one participant led at any
 * moment and that every new term's fencing token is larger than the last. Record {@link #elected}
 * after the participant learned it leads and {@link #deposed} before it steps down (or when it is
 * told it lost leadership), for the reason given in {@link OwnershipHistory}.
 *
 * <pre>{@code
 * LeadershipHistory history = new LeadershipHistory("/scheduler/leader");
 * latch.addListener(new LeaderLatchListener() {
 *   public void isLeader(LeadershipTerm t) { history.elected(id, t.fencingToken().value()); }
 *   public void notLeader(LeadershipTerm t) { history.deposed(id, t.fencingToken().value()); }
 * });
 * ... kill leaders, crash replicas ...
 * history.check();   // two leaders at once, or a term token that did not grow, fails here
 * }</pre>
 *
 * <p>Thread-safe.
 */
public final class LeadershipHistory {

  private final String election;
  private final OwnershipHistory terms;

  /** A history of the election at {@code election} (a latch path, say). */
  public LeadershipHistory(String election) {
    this.election = Objects.requireNonNull(election, "election");
    this.terms = new OwnershipHistory("leadership of " + election);
  }

  /** {@code participant} leads the term whose fencing token is {@code term}. */
  public void elected(String participant, long term) {
    terms.acquired(election, participant, term);
  }

  /** {@code participant} stops leading term {@code term}. */
  public void deposed(String participant, long term) {
    terms.released(election, participant, term);
  }

  /** Number of terms recorded. */
  public int terms() {
    return terms.acquisitions();
  }

  /** @throws HistoryViolation if two participants overlapped or a term's token did not grow */
  public void check() {
    terms.check();
  }
}
