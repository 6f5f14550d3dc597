package dev.cohort.replicated.recipes;

import dev.cohort.recipes.locks.MultiLockSuite;
import dev.cohort.tck.BackendFixture;
import java.util.OptionalLong;

/** The MultiLock suite on three replicas. */
class ReplicatedMultiLockTest extends MultiLockSuite {
  @Override
  protected BackendFixture newFixture() {
    return new ReplicatedRecipeFixture();
  }

  @Override
  protected OptionalLong watchEventsDelivered() {
    return OptionalLong.of(((ReplicatedRecipeFixture) fixture).backend().watchEventsDelivered());
  }
}
