package dev.cohort.replicated.tck;

import dev.cohort.replicated.ReplicatedFixture;
import dev.cohort.tck.BackendFixture;
import dev.cohort.tck.PathRulesConformance;

/** The TCK's PathRulesConformance on a three-replica cluster (real-time driver). */
class ReplicatedPathRulesTest extends PathRulesConformance {
  @Override
  protected BackendFixture newFixture() {
    return new ReplicatedFixture();
  }
}
