package dev.cohort.replicated.tck;

import dev.cohort.replicated.ReplicatedFixture;
import dev.cohort.tck.BackendFixture;
import dev.cohort.tck.OrderingConformance;

/** The TCK's OrderingConformance on a three-replica cluster (real-time driver). */
class ReplicatedOrderingTest extends OrderingConformance {
  @Override
  protected BackendFixture newFixture() {
    return new ReplicatedFixture();
  }
}
