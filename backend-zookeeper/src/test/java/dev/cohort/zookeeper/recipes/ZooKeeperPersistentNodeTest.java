package dev.cohort.zookeeper.recipes;

import dev.cohort.recipes.node.PersistentNodeSuite;
import dev.cohort.tck.BackendFixture;
import dev.cohort.zookeeper.ZooKeeperFixture;

/** The persistent-node suite on a real ZooKeeper server. */
class ZooKeeperPersistentNodeTest extends PersistentNodeSuite {
  @Override
  protected BackendFixture newFixture() {
    return new ZooKeeperFixture();
  }
}
