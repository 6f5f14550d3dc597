package dev.cohort.etcd.tck;

import dev.cohort.etcd.EtcdFixture;
import dev.cohort.tck.BackendFixture;
import dev.cohort.tck.SessionConformance;

/** A real etcd server against {@link SessionConformance}. */
class EtcdSessionTest extends SessionConformance {
  @Override
  protected BackendFixture newFixture() {
    return new EtcdFixture();
  }
}
