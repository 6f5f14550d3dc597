package dev.cohort.replicated.recipes;

import dev.cohort.recipes.queue.WorkQueueSuite;
import dev.cohort.replicated.ReplicatedFixture;
import dev.cohort.tck.BackendFixture;

/** The WorkQueue suite on three replicas. */
class ReplicatedWorkQueueTest extends WorkQueueSuite {
  @Override
  protected BackendFixture newFixture() {
    return new ReplicatedFixture();
  }
}
