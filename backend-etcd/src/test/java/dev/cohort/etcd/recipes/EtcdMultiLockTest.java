package dev.cohort.etcd.recipes;

import dev.cohort.etcd.EtcdFixture;
import dev.cohort.tck.BackendFixture;
import dev.cohort.recipes.locks.MultiLockSuite;

/** The MultiLock suite on a real etcd server. */
class EtcdMultiLockTest extends MultiLockSuite {
  @Override
  protected BackendFixture newFixture() {
    return new EtcdFixture();
  }
}
