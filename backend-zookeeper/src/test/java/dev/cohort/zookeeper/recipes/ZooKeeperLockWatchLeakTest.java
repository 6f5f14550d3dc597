package dev.cohort.zookeeper.recipes;

import dev.cohort.recipes.locks.LockWatchLeakSuite;
import dev.cohort.tck.BackendFixture;
import dev.cohort.zookeeper.ZooKeeperFixture;

/** The lock watch-leak test on a real ZooKeeper server, counting the server's watch table. */
class ZooKeeperLockWatchLeakTest extends LockWatchLeakSuite {
  @Override
  protected BackendFixture newFixture() {
    return new ZooKeeperFixture();
  }

  @Override
  protected int registeredWatches() {
    return ((ZooKeeperFixture) fixture).registeredWatches();
  }
}
