package dev.cohort.replicated.recipes;

import dev.cohort.recipes.node.PersistentNodeSuite;
import dev.cohort.tck.BackendFixture;

/** The persistent-node suite on three replicas. */
class ReplicatedPersistentNodeTest extends PersistentNodeSuite {
  @Override
  protected BackendFixture newFixture() {
    return new ReplicatedRecipeFixture();
  }
}
