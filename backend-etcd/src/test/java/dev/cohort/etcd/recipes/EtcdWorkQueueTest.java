package dev.cohort.etcd.recipes;

import dev.cohort.etcd.EtcdFixture;
import dev.cohort.tck.BackendFixture;
import dev.cohort.recipes.queue.WorkQueueSuite;

/** The WorkQueue suite on a real etcd server. */
class EtcdWorkQueueTest extends WorkQueueSuite {
  @Override
  protected BackendFixture newFixture() {
    return new EtcdFixture();
  }
}
