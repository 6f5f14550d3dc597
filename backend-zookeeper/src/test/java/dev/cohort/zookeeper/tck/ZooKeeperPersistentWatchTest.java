package dev.cohort.zookeeper.tck;

import dev.cohort.tck.BackendFixture;
import dev.cohort.tck.PersistentWatchConformance;
import dev.cohort.zookeeper.ZooKeeperFixture;

/** A real ZooKeeper server against {@link PersistentWatchConformance}. */
class ZooKeeperPersistentWatchTest extends PersistentWatchConformance {
  @Override
  protected BackendFixture newFixture() {
    return new ZooKeeperFixture();
  }
}
