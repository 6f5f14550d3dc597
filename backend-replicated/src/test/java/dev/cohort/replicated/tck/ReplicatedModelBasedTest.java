package dev.cohort.replicated.tck;

import dev.cohort.replicated.ReplicatedFixture;
import dev.cohort.tck.BackendFixture;
import dev.cohort.tck.ModelBasedConformance;

/** The TCK's ModelBasedConformance on a three-replica cluster (real-time driver). */
class ReplicatedModelBasedTest extends ModelBasedConformance {
  @Override
  protected BackendFixture newFixture() {
    return new ReplicatedFixture();
  }
}
