package dev.cohort.zookeeper.recipes;

import dev.cohort.recipes.locks.DistributedLockSuite;
import dev.cohort.tck.BackendFixture;
import dev.cohort.zookeeper.ZooKeeperFixture;

/** The distributed lock suite on a real ZooKeeper server. */
class ZooKeeperDistributedLockTest extends DistributedLockSuite {
  @Override
  protected BackendFixture newFixture() {
    return new ZooKeeperFixture();
  }
}
