package dev.cohort.recipes.leader;

import dev.cohort.recipes.FencingToken;
import java.util.Objects;

/**
 * One period of leadership of one participant: it begins when the participant's node becomes the
 * first in line and ends when the participant gives up or loses its session. Terms are told apart
 * by their {@link FencingToken} (the czxid of the participant's node): a later term has a larger
 * one. No two participants with live sessions ever lead in the same term.
 *
 * @param participantId the leader's id as given to its latch or selector
 * @param fencingToken the term's fencing token
 * @param sessionId the session the term belongs to
 */
public record LeadershipTerm(String participantId, FencingToken fencingToken, long sessionId) {
  public LeadershipTerm {
    Objects.requireNonNull(participantId, "participantId");
    Objects.requireNonNull(fencingToken, "fencingToken");
  }
}
