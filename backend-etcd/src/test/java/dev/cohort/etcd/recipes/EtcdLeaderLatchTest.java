package dev.cohort.etcd.recipes;

import dev.cohort.etcd.EtcdFixture;
import dev.cohort.tck.BackendFixture;
import dev.cohort.recipes.leader.LeaderLatchSuite;

/** The LeaderLatch suite on a real etcd server. */
class EtcdLeaderLatchTest extends LeaderLatchSuite {
  @Override
  protected BackendFixture newFixture() {
    return new EtcdFixture();
  }
}
