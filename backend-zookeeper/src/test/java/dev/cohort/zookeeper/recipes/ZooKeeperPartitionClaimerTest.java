package dev.cohort.zookeeper.recipes;

import dev.cohort.recipes.partition.PartitionClaimerSuite;
import dev.cohort.tck.BackendFixture;
import dev.cohort.zookeeper.ZooKeeperFixture;

/** The partition claimer suite on a real ZooKeeper server. */
class ZooKeeperPartitionClaimerTest extends PartitionClaimerSuite {
  @Override
  protected BackendFixture newFixture() {
    return new ZooKeeperFixture();
  }
}
