package dev.cohort.replicated.tck;

import dev.cohort.replicated.ReplicatedFixture;
import dev.cohort.tck.BackendFixture;
import dev.cohort.tck.MultiConformance;

/** The TCK's MultiConformance on a three-replica cluster (real-time driver). */
class ReplicatedMultiTest extends MultiConformance {
  @Override
  protected BackendFixture newFixture() {
    return new ReplicatedFixture();
  }
}
