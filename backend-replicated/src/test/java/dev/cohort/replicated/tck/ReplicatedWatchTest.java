package dev.cohort.replicated.tck;

import dev.cohort.replicated.ReplicatedFixture;
import dev.cohort.tck.BackendFixture;
import dev.cohort.tck.WatchConformance;

/** The TCK's WatchConformance on a three-replica cluster (real-time driver). */
class ReplicatedWatchTest extends WatchConformance {
  @Override
  protected BackendFixture newFixture() {
    return new ReplicatedFixture();
  }
}
