package dev.cohort.zookeeper.recipes;

import dev.cohort.recipes.discovery.ServiceDiscoverySuite;
import dev.cohort.tck.BackendFixture;
import dev.cohort.zookeeper.ZooKeeperFixture;

/** The service discovery suite on a real ZooKeeper server. */
class ZooKeeperServiceDiscoveryTest extends ServiceDiscoverySuite {
  @Override
  protected BackendFixture newFixture() {
    return new ZooKeeperFixture();
  }
}
