package dev.cohort.zookeeper.recipes;

import dev.cohort.recipes.counter.CounterSuite;
import dev.cohort.tck.BackendFixture;
import dev.cohort.zookeeper.ZooKeeperFixture;

/** The shared counter suite on a real ZooKeeper server. */
class ZooKeeperCounterTest extends CounterSuite {
  @Override
  protected BackendFixture newFixture() {
    return new ZooKeeperFixture();
  }
}
