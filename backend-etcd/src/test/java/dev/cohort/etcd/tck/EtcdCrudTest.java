package dev.cohort.etcd.tck;

import dev.cohort.etcd.EtcdFixture;
import dev.cohort.tck.BackendFixture;
import dev.cohort.tck.CrudConformance;

/** A real etcd server against {@link CrudConformance}. */
class EtcdCrudTest extends CrudConformance {
  @Override
  protected BackendFixture newFixture() {
    return new EtcdFixture();
  }
}
