package dev.cohort.replicated.recipes;

import dev.cohort.recipes.partition.PartitionClaimerSuite;
import dev.cohort.replicated.ReplicatedFixture;
import dev.cohort.tck.BackendFixture;

/** The PartitionClaimer suite on three replicas. */
class ReplicatedPartitionClaimerTest extends PartitionClaimerSuite {
  @Override
  protected BackendFixture newFixture() {
    return new ReplicatedFixture();
  }
}
