package dev.cohort.zookeeper.recipes;

import dev.cohort.recipes.leader.LeaderLatchSuite;
import dev.cohort.tck.BackendFixture;
import dev.cohort.zookeeper.ZooKeeperFixture;

/** The leader latch suite on a real ZooKeeper server. */
class ZooKeeperLeaderLatchTest extends LeaderLatchSuite {
  @Override
  protected BackendFixture newFixture() {
    return new ZooKeeperFixture();
  }
}
