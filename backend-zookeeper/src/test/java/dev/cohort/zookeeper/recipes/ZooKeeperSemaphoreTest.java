package dev.cohort.zookeeper.recipes;

import dev.cohort.recipes.locks.SemaphoreSuite;
import dev.cohort.tck.BackendFixture;
import dev.cohort.zookeeper.ZooKeeperFixture;

/** The semaphore suite on a real ZooKeeper server. */
class ZooKeeperSemaphoreTest extends SemaphoreSuite {
  @Override
  protected BackendFixture newFixture() {
    return new ZooKeeperFixture();
  }
}
