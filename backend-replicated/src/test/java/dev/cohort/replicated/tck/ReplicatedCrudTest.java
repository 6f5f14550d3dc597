package dev.cohort.replicated.tck;

import dev.cohort.replicated.ReplicatedFixture;
import dev.cohort.tck.BackendFixture;
import dev.cohort.tck.CrudConformance;

/** The TCK's CrudConformance on a three-replica cluster (real-time driver). */
class ReplicatedCrudTest extends CrudConformance {
  @Override
  protected BackendFixture newFixture() {
    return new ReplicatedFixture();
  }
}
