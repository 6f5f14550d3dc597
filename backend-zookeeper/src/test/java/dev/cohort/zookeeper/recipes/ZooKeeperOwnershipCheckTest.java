package dev.cohort.zookeeper.recipes;

import dev.cohort.recipes.OwnershipCheckSuite;
import dev.cohort.tck.BackendFixture;
import dev.cohort.zookeeper.ZooKeeperFixture;

/** The ownership-check suite on a real ZooKeeper server. */
class ZooKeeperOwnershipCheckTest extends OwnershipCheckSuite {
  @Override
  protected BackendFixture newFixture() {
    return new ZooKeeperFixture();
  }
}
