package dev.cohort.replicated.recipes;

import dev.cohort.recipes.leader.LeadershipObserverSuite;
import dev.cohort.tck.BackendFixture;
import java.util.OptionalLong;

/** The LeadershipObserver suite on three replicas. */
class ReplicatedLeadershipObserverTest extends LeadershipObserverSuite {
  @Override
  protected BackendFixture newFixture() {
    return new ReplicatedRecipeFixture();
  }

  @Override
  protected OptionalLong watchEventsDelivered() {
    return OptionalLong.of(((ReplicatedRecipeFixture) fixture).backend().watchEventsDelivered());
  }
}
