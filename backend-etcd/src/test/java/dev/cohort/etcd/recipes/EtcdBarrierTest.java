package dev.cohort.etcd.recipes;

import dev.cohort.etcd.EtcdFixture;
import dev.cohort.tck.BackendFixture;
import dev.cohort.recipes.barrier.BarrierSuite;

/** The Barrier suite on a real etcd server. */
class EtcdBarrierTest extends BarrierSuite {
  @Override
  protected BackendFixture newFixture() {
    return new EtcdFixture();
  }
}
