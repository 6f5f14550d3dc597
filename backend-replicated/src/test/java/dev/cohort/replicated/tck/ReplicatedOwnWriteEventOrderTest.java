package dev.cohort.replicated.tck;

import dev.cohort.replicated.ReplicatedFixture;
import dev.cohort.tck.BackendFixture;
import dev.cohort.tck.OwnWriteEventOrderConformance;

/** The TCK's OwnWriteEventOrderConformance on a three-replica cluster (real-time driver). */
class ReplicatedOwnWriteEventOrderTest extends OwnWriteEventOrderConformance {
  @Override
  protected BackendFixture newFixture() {
    return new ReplicatedFixture();
  }
}
