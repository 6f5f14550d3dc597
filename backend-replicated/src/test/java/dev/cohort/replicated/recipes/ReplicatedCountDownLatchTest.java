package dev.cohort.replicated.recipes;

import dev.cohort.recipes.barrier.CountDownLatchSuite;
import dev.cohort.tck.BackendFixture;
import java.util.OptionalLong;

/** The CountDownLatch suite on three replicas. */
class ReplicatedCountDownLatchTest extends CountDownLatchSuite {
  @Override
  protected BackendFixture newFixture() {
    return new ReplicatedRecipeFixture();
  }

  @Override
  protected OptionalLong watchEventsDelivered() {
    return OptionalLong.of(((ReplicatedRecipeFixture) fixture).backend().watchEventsDelivered());
  }
}
