package dev.cohort.zookeeper.tck;

import dev.cohort.tck.BackendFixture;
import dev.cohort.tck.CrudConformance;
import dev.cohort.zookeeper.ZooKeeperFixture;

/** A real ZooKeeper server against {@link CrudConformance}. */
class ZooKeeperCrudTest extends CrudConformance {
  @Override
  protected BackendFixture newFixture() {
    return new ZooKeeperFixture();
  }
}
