package dev.cohort.zookeeper.recipes;

import dev.cohort.recipes.barrier.BarrierSuite;
import dev.cohort.tck.BackendFixture;
import dev.cohort.zookeeper.ZooKeeperFixture;

/** The barrier suite on a real ZooKeeper server. */
class ZooKeeperBarrierTest extends BarrierSuite {
  @Override
  protected BackendFixture newFixture() {
    return new ZooKeeperFixture();
  }
}
