package dev.cohort.replicated.recipes;

import dev.cohort.recipes.ContainerParentsSuite;
import dev.cohort.tck.BackendFixture;

/** The container-parents suite on three replicas. */
class ReplicatedContainerParentsTest extends ContainerParentsSuite {
  @Override
  protected BackendFixture newFixture() {
    return new ReplicatedRecipeFixture();
  }
}
