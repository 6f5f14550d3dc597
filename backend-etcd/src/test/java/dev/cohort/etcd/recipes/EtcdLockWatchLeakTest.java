package dev.cohort.etcd.recipes;

import dev.cohort.etcd.EtcdFixture;
import dev.cohort.recipes.locks.LockWatchLeakSuite;
import dev.cohort.tck.BackendFixture;

/** The lock watch-leak test on a real etcd server, counting the sessions' live watches. */
class EtcdLockWatchLeakTest extends LockWatchLeakSuite {
  @Override
  protected BackendFixture newFixture() {
    return new EtcdFixture();
  }

  @Override
  protected int registeredWatches() {
    return ((EtcdFixture) fixture).registeredWatches();
  }

  /** Every cycle is several etcd round trips: fewer cycles than on ZooKeeper keep CI short. */
  @Override
  protected int cycles() {
    return 1_000;
  }
}
