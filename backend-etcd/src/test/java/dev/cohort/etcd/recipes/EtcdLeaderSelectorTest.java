package dev.cohort.etcd.recipes;

import dev.cohort.etcd.EtcdFixture;
import dev.cohort.tck.BackendFixture;
import dev.cohort.recipes.leader.LeaderSelectorSuite;

/** The LeaderSelector suite on a real etcd server. */
class EtcdLeaderSelectorTest extends LeaderSelectorSuite {
  @Override
  protected BackendFixture newFixture() {
    return new EtcdFixture();
  }
}
