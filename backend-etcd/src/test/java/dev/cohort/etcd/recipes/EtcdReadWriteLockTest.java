package dev.cohort.etcd.recipes;

import dev.cohort.etcd.EtcdFixture;
import dev.cohort.tck.BackendFixture;
import dev.cohort.recipes.locks.ReadWriteLockSuite;

/** The ReadWriteLock suite on a real etcd server. */
class EtcdReadWriteLockTest extends ReadWriteLockSuite {
  @Override
  protected BackendFixture newFixture() {
    return new EtcdFixture();
  }
}
