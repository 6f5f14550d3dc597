package dev.cohort.replicated.recipes;

import dev.cohort.recipes.OwnershipCheckSuite;
import dev.cohort.tck.BackendFixture;

/** The ownership-check suite on three replicas. */
class ReplicatedOwnershipCheckTest extends OwnershipCheckSuite {
  @Override
  protected BackendFixture newFixture() {
    return new ReplicatedRecipeFixture();
  }
}
