package dev.cohort.zookeeper.recipes;

import dev.cohort.recipes.locks.LockRevocationSuite;
import dev.cohort.tck.BackendFixture;
import dev.cohort.zookeeper.ZooKeeperFixture;

/** The lock revocation and participants suite on a real ZooKeeper server. */
class ZooKeeperLockRevocationTest extends LockRevocationSuite {
  @Override
  protected BackendFixture newFixture() {
    return new ZooKeeperFixture();
  }
}
