package dev.cohort.zookeeper.recipes;

import dev.cohort.recipes.rendezvous.RendezvousSuite;
import dev.cohort.tck.BackendFixture;
import dev.cohort.zookeeper.ZooKeeperFixture;

/** The rendezvous suite on a real ZooKeeper server. */
class ZooKeeperRendezvousTest extends RendezvousSuite {
  @Override
  protected BackendFixture newFixture() {
    return new ZooKeeperFixture();
  }
}
