package dev.cohort.etcd.tck;

import dev.cohort.etcd.EtcdFixture;
import dev.cohort.tck.BackendFixture;
import dev.cohort.tck.OptionalNodeTypesConformance;

/** A real etcd server against {@link OptionalNodeTypesConformance}. */
class EtcdOptionalNodeTypesTest extends OptionalNodeTypesConformance {
  @Override
  protected BackendFixture newFixture() {
    return new EtcdFixture();
  }
}
