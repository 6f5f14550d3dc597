package dev.cohort.etcd.tck;

import dev.cohort.etcd.EtcdFixture;
import dev.cohort.tck.BackendFixture;
import dev.cohort.tck.StatConformance;

/** A real etcd server against {@link StatConformance}. */
class EtcdStatTest extends StatConformance {
  @Override
  protected BackendFixture newFixture() {
    return new EtcdFixture();
  }
}
