package dev.cohort.zookeeper.recipes;

import dev.cohort.recipes.CohortClientSuite;
import dev.cohort.tck.BackendFixture;
import dev.cohort.zookeeper.ZooKeeperFixture;

/** The client suite (connection states, retries, session loss) on a real ZooKeeper server. */
class ZooKeeperCohortClientTest extends CohortClientSuite {
  @Override
  protected BackendFixture newFixture() {
    return new ZooKeeperFixture();
  }
}
