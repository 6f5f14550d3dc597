package dev.cohort.etcd.tck;

import dev.cohort.etcd.EtcdFixture;
import dev.cohort.tck.BackendFixture;
import dev.cohort.tck.ModelBasedConformance;

/** A real etcd server against {@link ModelBasedConformance}. */
class EtcdModelBasedTest extends ModelBasedConformance {
  @Override
  protected BackendFixture newFixture() {
    return new EtcdFixture();
  }
}
