package dev.cohort.replicated.recipes;

import dev.cohort.recipes.leader.LeaderLatchSuite;
import dev.cohort.replicated.ReplicatedFixture;
import dev.cohort.tck.BackendFixture;
import java.util.OptionalLong;

/** The LeaderLatch suite on three replicas. */
class ReplicatedLeaderLatchTest extends LeaderLatchSuite {
  @Override
  protected BackendFixture newFixture() {
    return new ReplicatedFixture();
  }

  @Override
  protected OptionalLong watchEventsDelivered() {
    return OptionalLong.of(((ReplicatedFixture) fixture).backend().watchEventsDelivered());
  }
}
