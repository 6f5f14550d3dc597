package dev.cohort.replicated.tck;

import dev.cohort.replicated.ReplicatedFixture;
import dev.cohort.tck.BackendFixture;
import dev.cohort.tck.PersistentWatchConformance;

/** The TCK's PersistentWatchConformance on a three-replica cluster (real-time driver). */
class ReplicatedPersistentWatchTest extends PersistentWatchConformance {
  @Override
  protected BackendFixture newFixture() {
    return new ReplicatedFixture();
  }
}
