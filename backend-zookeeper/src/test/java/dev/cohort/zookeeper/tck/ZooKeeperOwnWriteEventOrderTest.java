package dev.cohort.zookeeper.tck;

import dev.cohort.tck.BackendFixture;
import dev.cohort.tck.OwnWriteEventOrderConformance;
import dev.cohort.zookeeper.ZooKeeperFixture;

/** A real ZooKeeper server against {@link OwnWriteEventOrderConformance}. */
class ZooKeeperOwnWriteEventOrderTest extends OwnWriteEventOrderConformance {
  @Override
  protected BackendFixture newFixture() {
    return new ZooKeeperFixture();
  }
}
