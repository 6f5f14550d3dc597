package dev.cohort.replicated.tck;

import dev.cohort.replicated.ReplicatedFixture;
import dev.cohort.tck.BackendFixture;
import dev.cohort.tck.ChildDeleteCversionConformance;

/** The TCK's ChildDeleteCversionConformance on a three-replica cluster (real-time driver). */
class ReplicatedChildDeleteCversionTest extends ChildDeleteCversionConformance {
  @Override
  protected BackendFixture newFixture() {
    return new ReplicatedFixture();
  }
}
