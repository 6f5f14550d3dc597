package dev.cohort.replicated.tck;

import dev.cohort.replicated.ReplicatedFixture;
import dev.cohort.tck.BackendFixture;
import dev.cohort.tck.SequentialConformance;

/** The TCK's SequentialConformance on a three-replica cluster (real-time driver). */
class ReplicatedSequentialTest extends SequentialConformance {
  @Override
  protected BackendFixture newFixture() {
    return new ReplicatedFixture();
  }
}
