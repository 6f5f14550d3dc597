package dev.cohort.zookeeper.recipes;

import dev.cohort.recipes.locks.MultiLockSuite;
import dev.cohort.tck.BackendFixture;
import dev.cohort.zookeeper.ZooKeeperFixture;

/** The multi-lock suite on a real ZooKeeper server. */
class ZooKeeperMultiLockTest extends MultiLockSuite {
  @Override
  protected BackendFixture newFixture() {
    return new ZooKeeperFixture();
  }
}
