package dev.cohort.zookeeper.recipes;

import dev.cohort.recipes.leader.LeadershipObserverSuite;
import dev.cohort.tck.BackendFixture;
import dev.cohort.zookeeper.ZooKeeperFixture;

/** The leadership observer suite on a real ZooKeeper server. */
class ZooKeeperLeadershipObserverTest extends LeadershipObserverSuite {
  @Override
  protected BackendFixture newFixture() {
    return new ZooKeeperFixture();
  }
}
