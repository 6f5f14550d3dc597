package dev.cohort.replicated.tck;

import dev.cohort.replicated.ReplicatedFixture;
import dev.cohort.tck.BackendFixture;
import dev.cohort.tck.StatConformance;

/** The TCK's StatConformance on a three-replica cluster (real-time driver). */
class ReplicatedStatTest extends StatConformance {
  @Override
  protected BackendFixture newFixture() {
    return new ReplicatedFixture();
  }
}
