package dev.cohort.etcd.tck;

import dev.cohort.etcd.EtcdFixture;
import dev.cohort.tck.BackendFixture;
import dev.cohort.tck.WatchConformance;

/** A real etcd server against {@link WatchConformance}. */
class EtcdWatchTest extends WatchConformance {
  @Override
  protected BackendFixture newFixture() {
    return new EtcdFixture();
  }
}
