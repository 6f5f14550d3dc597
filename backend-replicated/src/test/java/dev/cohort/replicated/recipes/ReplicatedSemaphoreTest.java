package dev.cohort.replicated.recipes;

import dev.cohort.recipes.locks.SemaphoreSuite;
import dev.cohort.tck.BackendFixture;
import java.util.OptionalLong;

/** The Semaphore suite on three replicas. */
class ReplicatedSemaphoreTest extends SemaphoreSuite {
  @Override
  protected BackendFixture newFixture() {
    return new ReplicatedRecipeFixture();
  }

  @Override
  protected OptionalLong watchEventsDelivered() {
    return OptionalLong.of(((ReplicatedRecipeFixture) fixture).backend().watchEventsDelivered());
  }
}
