package dev.cohort.etcd.tck;

import dev.cohort.etcd.EtcdFixture;
import dev.cohort.tck.BackendFixture;
import dev.cohort.tck.OwnWriteEventOrderConformance;

/** A real etcd server against {@link OwnWriteEventOrderConformance}. */
class EtcdOwnWriteEventOrderTest extends OwnWriteEventOrderConformance {
  @Override
  protected BackendFixture newFixture() {
    return new EtcdFixture();
  }
}
