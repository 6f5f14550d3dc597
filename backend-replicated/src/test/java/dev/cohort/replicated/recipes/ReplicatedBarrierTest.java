package dev.cohort.replicated.recipes;

import dev.cohort.recipes.barrier.BarrierSuite;
import dev.cohort.tck.BackendFixture;

/** The Barrier suite on three replicas. */
class ReplicatedBarrierTest extends BarrierSuite {
  @Override
  protected BackendFixture newFixture() {
    return new ReplicatedRecipeFixture();
  }
}
