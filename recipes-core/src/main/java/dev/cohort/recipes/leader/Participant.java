package dev.cohort.recipes.leader;

import java.util.Objects;

/**
 * One contender for leadership, as seen in a snapshot of the election.
 *
 * @param id the participant's id
 * @param leader whether its node was first in line in the snapshot
 */
public record Participant(String id, boolean leader) {
  public Participant {
    Objects.requireNonNull(id, "id");
  }
}
