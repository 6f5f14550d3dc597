package dev.cohort.replicated.tck;

import dev.cohort.replicated.ReplicatedFixture;
import dev.cohort.tck.BackendFixture;
import dev.cohort.tck.BlockingSessionConformance;

/** The TCK's BlockingSessionConformance on a three-replica cluster (real-time driver). */
class ReplicatedBlockingSessionTest extends BlockingSessionConformance {
  @Override
  protected BackendFixture newFixture() {
    return new ReplicatedFixture();
  }
}
