package dev.cohort.etcd.tck;

import dev.cohort.etcd.EtcdFixture;
import dev.cohort.tck.BackendFixture;
import dev.cohort.tck.SequentialConformance;

/** A real etcd server against {@link SequentialConformance}. */
class EtcdSequentialTest extends SequentialConformance {
  @Override
  protected BackendFixture newFixture() {
    return new EtcdFixture();
  }
}
