package dev.cohort.etcd.tck;

import dev.cohort.etcd.EtcdFixture;
import dev.cohort.tck.BackendFixture;
import dev.cohort.tck.BlockingSessionConformance;

/** A real etcd server against {@link BlockingSessionConformance}. */
class EtcdBlockingSessionTest extends BlockingSessionConformance {
  @Override
  protected BackendFixture newFixture() {
    return new EtcdFixture();
  }
}
