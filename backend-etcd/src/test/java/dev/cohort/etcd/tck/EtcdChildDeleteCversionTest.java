package dev.cohort.etcd.tck;

import dev.cohort.etcd.EtcdFixture;
import dev.cohort.tck.BackendFixture;
import dev.cohort.tck.ChildDeleteCversionConformance;

/** A real etcd server against {@link ChildDeleteCversionConformance}. */
class EtcdChildDeleteCversionTest extends ChildDeleteCversionConformance {
  @Override
  protected BackendFixture newFixture() {
    return new EtcdFixture();
  }
}
