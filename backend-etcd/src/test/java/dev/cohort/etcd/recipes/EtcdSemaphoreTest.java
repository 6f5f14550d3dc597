package dev.cohort.etcd.recipes;

import dev.cohort.etcd.EtcdFixture;
import dev.cohort.tck.BackendFixture;
import dev.cohort.recipes.locks.SemaphoreSuite;

/** The Semaphore suite on a real etcd server. */
class EtcdSemaphoreTest extends SemaphoreSuite {
  @Override
  protected BackendFixture newFixture() {
    return new EtcdFixture();
  }
}
