package dev.cohort.etcd.tck;

import dev.cohort.etcd.EtcdFixture;
import dev.cohort.tck.BackendFixture;
import dev.cohort.tck.PersistentWatchConformance;

/** A real etcd server against {@link PersistentWatchConformance}. */
class EtcdPersistentWatchTest extends PersistentWatchConformance {
  @Override
  protected BackendFixture newFixture() {
    return new EtcdFixture();
  }
}
