package dev.cohort.replicated.recipes;

import dev.cohort.recipes.locks.ReadWriteLockSuite;
import dev.cohort.tck.BackendFixture;
import java.util.OptionalLong;

/** The ReadWriteLock suite on three replicas. */
class ReplicatedReadWriteLockTest extends ReadWriteLockSuite {
  @Override
  protected BackendFixture newFixture() {
    return new ReplicatedRecipeFixture();
  }

  @Override
  protected OptionalLong watchEventsDelivered() {
    return OptionalLong.of(((ReplicatedRecipeFixture) fixture).backend().watchEventsDelivered());
  }
}
