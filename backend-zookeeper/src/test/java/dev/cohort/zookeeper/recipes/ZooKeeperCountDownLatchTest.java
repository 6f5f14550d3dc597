package dev.cohort.zookeeper.recipes;

import dev.cohort.recipes.barrier.CountDownLatchSuite;
import dev.cohort.tck.BackendFixture;
import dev.cohort.zookeeper.ZooKeeperFixture;

/** The count-down latch suite on a real ZooKeeper server. */
class ZooKeeperCountDownLatchTest extends CountDownLatchSuite {
  @Override
  protected BackendFixture newFixture() {
    return new ZooKeeperFixture();
  }
}
