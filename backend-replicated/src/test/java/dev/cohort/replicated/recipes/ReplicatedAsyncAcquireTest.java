package dev.cohort.replicated.recipes;

import dev.cohort.recipes.locks.AsyncAcquireSuite;
import dev.cohort.tck.BackendFixture;

/** The asynchronous lock and semaphore acquire suite on three replicas. */
class ReplicatedAsyncAcquireTest extends AsyncAcquireSuite {
  @Override
  protected BackendFixture newFixture() {
    return new ReplicatedRecipeFixture();
  }
}
