package dev.cohort.replicated.recipes;

import dev.cohort.recipes.locks.SemaphoreSuite;
import dev.cohort.replicated.ReplicatedFixture;
import dev.cohort.tck.BackendFixture;
import java.util.OptionalLong;

/** The Semaphore suite on three replicas. */
class ReplicatedSemaphoreTest extends SemaphoreSuite {
  @Override
  protected BackendFixture newFixture() {
    return new ReplicatedFixture();
  }

  @Override
  protected OptionalLong watchEventsDelivered() {
    return OptionalLong.of(((ReplicatedFixture) fixture).backend().watchEventsDelivered());
  }
}
