package dev.cohort.zookeeper.recipes;

import dev.cohort.recipes.ContainerParentsSuite;
import dev.cohort.tck.BackendFixture;
import dev.cohort.zookeeper.ZooKeeperFixture;

/**
 * The container-parents suite on a real ZooKeeper server, whose container manager checks every
 * {@code znode.container.checkIntervalMs} (100 ms in the embedded server unless that property says
 * otherwise).
 */
class ZooKeeperContainerParentsTest extends ContainerParentsSuite {
  @Override
  protected BackendFixture newFixture() {
    return new ZooKeeperFixture();
  }
}
