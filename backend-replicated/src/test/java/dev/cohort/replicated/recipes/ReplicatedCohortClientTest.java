package dev.cohort.replicated.recipes;

import dev.cohort.recipes.CohortClientSuite;
import dev.cohort.tck.BackendFixture;
import java.util.OptionalLong;

/** The CohortClient suite on three replicas. */
class ReplicatedCohortClientTest extends CohortClientSuite {
  @Override
  protected BackendFixture newFixture() {
    return new ReplicatedRecipeFixture();
  }

  @Override
  protected OptionalLong watchEventsDelivered() {
    return OptionalLong.of(((ReplicatedRecipeFixture) fixture).backend().watchEventsDelivered());
  }
}
