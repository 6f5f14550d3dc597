package dev.cohort.etcd.tck;

import dev.cohort.etcd.EtcdFixture;
import dev.cohort.tck.BackendFixture;
import dev.cohort.tck.MultiConformance;

/** A real etcd server against {@link MultiConformance}. */
class EtcdMultiTest extends MultiConformance {
  @Override
  protected BackendFixture newFixture() {
    return new EtcdFixture();
  }
}
