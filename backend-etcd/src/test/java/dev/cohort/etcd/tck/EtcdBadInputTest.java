package dev.cohort.etcd.tck;

import dev.cohort.etcd.EtcdFixture;
import dev.cohort.tck.BackendFixture;
import dev.cohort.tck.BadInputConformance;

/** A real etcd server against {@link BadInputConformance}. */
class EtcdBadInputTest extends BadInputConformance {
  @Override
  protected BackendFixture newFixture() {
    return new EtcdFixture();
  }
}
