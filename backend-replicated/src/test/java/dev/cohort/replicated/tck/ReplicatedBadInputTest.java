package dev.cohort.replicated.tck;

import dev.cohort.replicated.ReplicatedFixture;
import dev.cohort.tck.BackendFixture;
import dev.cohort.tck.BadInputConformance;

/** The TCK's BadInputConformance on a three-replica cluster (real-time driver). */
class ReplicatedBadInputTest extends BadInputConformance {
  @Override
  protected BackendFixture newFixture() {
    return new ReplicatedFixture();
  }
}
