package dev.cohort.replicated.recipes;

import dev.cohort.recipes.leader.LeaderSelectorSuite;
import dev.cohort.tck.BackendFixture;
import java.util.OptionalLong;

/** The LeaderSelector suite on three replicas. */
class ReplicatedLeaderSelectorTest extends LeaderSelectorSuite {
  @Override
  protected BackendFixture newFixture() {
    return new ReplicatedRecipeFixture();
  }

  @Override
  protected OptionalLong watchEventsDelivered() {
    return OptionalLong.of(((ReplicatedRecipeFixture) fixture).backend().watchEventsDelivered());
  }
}
