package dev.cohort.zookeeper.recipes;

import dev.cohort.recipes.leader.LeaderSelectorSuite;
import dev.cohort.tck.BackendFixture;
import dev.cohort.zookeeper.ZooKeeperFixture;

/** The leader selector suite on a real ZooKeeper server. */
class ZooKeeperLeaderSelectorTest extends LeaderSelectorSuite {
  @Override
  protected BackendFixture newFixture() {
    return new ZooKeeperFixture();
  }
}
