package dev.cohort.zookeeper.tck;

import dev.cohort.tck.BackendFixture;
import dev.cohort.tck.ChildDeleteCversionConformance;
import dev.cohort.zookeeper.ZooKeeperFixture;

/** A real ZooKeeper server against {@link ChildDeleteCversionConformance}. */
class ZooKeeperChildDeleteCversionTest extends ChildDeleteCversionConformance {
  @Override
  protected BackendFixture newFixture() {
    return new ZooKeeperFixture();
  }
}
