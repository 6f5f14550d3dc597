package dev.cohort.etcd.recipes;

import dev.cohort.etcd.EtcdFixture;
import dev.cohort.tck.BackendFixture;
import dev.cohort.recipes.counter.CounterSuite;

/** The Counter suite on a real etcd server. */
class EtcdCounterTest extends CounterSuite {
  @Override
  protected BackendFixture newFixture() {
    return new EtcdFixture();
  }
}
