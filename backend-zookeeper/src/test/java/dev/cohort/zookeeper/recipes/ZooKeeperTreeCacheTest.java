package dev.cohort.zookeeper.recipes;

import dev.cohort.recipes.cache.TreeCacheSuite;
import dev.cohort.tck.BackendFixture;
import dev.cohort.zookeeper.ZooKeeperFixture;

/**
 * The tree cache suite on a real ZooKeeper server (which has persistent recursive watches). The
 * server's watch count is not offered to the close test: ZooKeeper keeps a removed watcher's
 * server entry until the node next changes (see this module's README), so it would not drop at
 * close.
 */
class ZooKeeperTreeCacheTest extends TreeCacheSuite {
  @Override
  protected BackendFixture newFixture() {
    return new ZooKeeperFixture();
  }
}
