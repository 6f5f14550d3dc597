package dev.cohort.replicated.tck;

import dev.cohort.replicated.ReplicatedFixture;
import dev.cohort.tck.BackendFixture;
import dev.cohort.tck.OptionalNodeTypesConformance;

/** The TCK's OptionalNodeTypesConformance on a three-replica cluster (real-time driver). */
class ReplicatedOptionalNodeTypesTest extends OptionalNodeTypesConformance {
  @Override
  protected BackendFixture newFixture() {
    return new ReplicatedFixture();
  }
}
