package dev.cohort.zookeeper.tck;

import dev.cohort.tck.BackendFixture;
import dev.cohort.tck.ModelBasedConformance;
import dev.cohort.zookeeper.ZooKeeperFixture;

/** A real ZooKeeper server against {@link ModelBasedConformance}. */
class ZooKeeperModelBasedTest extends ModelBasedConformance {
  @Override
  protected BackendFixture newFixture() {
    return new ZooKeeperFixture();
  }
}
