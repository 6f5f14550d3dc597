package dev.cohort.zookeeper.recipes;

import dev.cohort.recipes.cache.CacheSuite;
import dev.cohort.tck.BackendFixture;
import dev.cohort.zookeeper.ZooKeeperFixture;

/** The node and children cache suite on a real ZooKeeper server (which has persistent watches). */
class ZooKeeperCacheTest extends CacheSuite {
  @Override
  protected BackendFixture newFixture() {
    return new ZooKeeperFixture();
  }
}
