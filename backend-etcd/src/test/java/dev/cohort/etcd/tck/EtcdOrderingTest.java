package dev.cohort.etcd.tck;

import dev.cohort.etcd.EtcdFixture;
import dev.cohort.tck.BackendFixture;
import dev.cohort.tck.OrderingConformance;

/** A real etcd server against {@link OrderingConformance}. */
class EtcdOrderingTest extends OrderingConformance {
  @Override
  protected BackendFixture newFixture() {
    return new EtcdFixture();
  }
}
