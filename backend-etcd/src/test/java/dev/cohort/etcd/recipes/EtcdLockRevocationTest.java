package dev.cohort.etcd.recipes;

import dev.cohort.etcd.EtcdFixture;
import dev.cohort.recipes.locks.LockRevocationSuite;
import dev.cohort.tck.BackendFixture;

/** The lock revocation and participants suite on a real etcd server. */
class EtcdLockRevocationTest extends LockRevocationSuite {
  @Override
  protected BackendFixture newFixture() {
    return new EtcdFixture();
  }
}
