package dev.cohort.replicated.recipes;

import dev.cohort.recipes.locks.LockRevocationSuite;
import dev.cohort.tck.BackendFixture;

/** The lock revocation and participants suite on three replicas. */
class ReplicatedLockRevocationTest extends LockRevocationSuite {
  @Override
  protected BackendFixture newFixture() {
    return new ReplicatedRecipeFixture();
  }
}
