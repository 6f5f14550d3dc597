package dev.cohort.zookeeper.tck;

import dev.cohort.tck.BackendFixture;
import dev.cohort.tck.BlockingSessionConformance;
import dev.cohort.zookeeper.ZooKeeperFixture;

/**
 * A real ZooKeeper server against {@link BlockingSessionConformance}: the adapter's own blocking
 * view, over ZooKeeper's synchronous API.
 */
class ZooKeeperBlockingSessionTest extends BlockingSessionConformance {
  @Override
  protected BackendFixture newFixture() {
    return new ZooKeeperFixture();
  }
}
