package dev.cohort.zookeeper.recipes;

import dev.cohort.recipes.queue.WorkQueueSuite;
import dev.cohort.tck.BackendFixture;
import dev.cohort.zookeeper.ZooKeeperFixture;

/** The work queue suite on a real ZooKeeper server, including the 1000-job chaos run. */
class ZooKeeperWorkQueueTest extends WorkQueueSuite {
  @Override
  protected BackendFixture newFixture() {
    return new ZooKeeperFixture();
  }
}
