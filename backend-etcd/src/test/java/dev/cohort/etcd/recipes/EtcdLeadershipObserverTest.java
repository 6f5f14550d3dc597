package dev.cohort.etcd.recipes;

import dev.cohort.etcd.EtcdFixture;
import dev.cohort.recipes.leader.LeadershipObserverSuite;
import dev.cohort.tck.BackendFixture;

/** The LeadershipObserver suite on a real etcd server. */
class EtcdLeadershipObserverTest extends LeadershipObserverSuite {
  @Override
  protected BackendFixture newFixture() {
    return new EtcdFixture();
  }
}
