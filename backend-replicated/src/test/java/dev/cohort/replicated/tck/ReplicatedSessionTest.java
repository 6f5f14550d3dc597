package dev.cohort.replicated.tck;

import dev.cohort.replicated.ReplicatedFixture;
import dev.cohort.tck.BackendFixture;
import dev.cohort.tck.SessionConformance;

/** The TCK's SessionConformance on a three-replica cluster (real-time driver). */
class ReplicatedSessionTest extends SessionConformance {
  @Override
  protected BackendFixture newFixture() {
    return new ReplicatedFixture();
  }
}
