package dev.cohort.zookeeper.recipes;

import dev.cohort.recipes.locks.ReadWriteLockSuite;
import dev.cohort.tck.BackendFixture;
import dev.cohort.zookeeper.ZooKeeperFixture;

/** The read-write lock suite on a real ZooKeeper server. */
class ZooKeeperReadWriteLockTest extends ReadWriteLockSuite {
  @Override
  protected BackendFixture newFixture() {
    return new ZooKeeperFixture();
  }
}
