package dev.cohort.recipes.leader;

import dev.cohort.recipes.FencingToken;
import java.util.Objects;

/**
 * One period of leadership of one participant: it begins when the participant's node becomes the
 * first in line and ends when the participant gives up or loses its session. Terms are told apart
 * by their {@link FencingToken} (the czxid of the participant's node): a later term has a larger
 * one. No two participants with live sessions ever lead in the same term.
 *
 * <p>A latch may report one term more than once: under {@link SuspendPolicy#RELEASE_ON_SUSPEND} a
 * suspension ends the report, and a reconnect that finds the node still owned by the session
 * reports the same term again. Such a report {@linkplain #isReconfirmation() is a reconfirmation};
 * equality ignores it, so two reports of one term are equal.
 *
 * @param participantId the leader's id as given to its latch or selector
 * @param fencingToken the term's fencing token
 * @param sessionId the session the term belongs to
 * @param isReconfirmation whether this report confirms, after a reconnect, a term reported before
 *     (same node, same token) rather than starting a new one
 */
public record LeadershipTerm(String participantId, FencingToken fencingToken, long sessionId, boolean isReconfirmation) {
  public LeadershipTerm {
    Objects.requireNonNull(participantId, "participantId");
    Objects.requireNonNull(fencingToken, "fencingToken");
  }

  /** The first report of a term. */
  public LeadershipTerm(String participantId, FencingToken fencingToken, long sessionId) {
    this(participantId, fencingToken, sessionId, false);
  }

  /** Equal when they are the same term: same participant, token and session, reconfirmed or not. */
  @Override
  public boolean equals(Object o) {
    return o instanceof LeadershipTerm t && participantId.equals(t.participantId)
        && fencingToken.equals(t.fencingToken) && sessionId == t.sessionId;
  }

  @Override
  public int hashCode() {
    return Objects.hash(participantId, fencingToken, sessionId);
  }
}
