package dev.cohort.etcd.tck;

import dev.cohort.etcd.EtcdFixture;
import dev.cohort.tck.BackendFixture;
import dev.cohort.tck.WatchConformance;

/**
 * A real etcd server against {@link WatchConformance}. etcd lacks {@code MULTI_EVENTS_PER_OP} (a
 * transaction writes a key once), so the case that needs it is skipped by capability.
 */
class EtcdWatchTest extends WatchConformance {
  @Override
  protected BackendFixture newFixture() {
    return new EtcdFixture();
  }
}
