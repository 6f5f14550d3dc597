package dev.cohort.etcd.recipes;

import dev.cohort.etcd.EtcdFixture;
import dev.cohort.tck.BackendFixture;
import dev.cohort.recipes.barrier.CountDownLatchSuite;

/** The CountDownLatch suite on a real etcd server. */
class EtcdCountDownLatchTest extends CountDownLatchSuite {
  @Override
  protected BackendFixture newFixture() {
    return new EtcdFixture();
  }
}
