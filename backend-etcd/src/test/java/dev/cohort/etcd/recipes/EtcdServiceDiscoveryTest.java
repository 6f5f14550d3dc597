package dev.cohort.etcd.recipes;

import dev.cohort.etcd.EtcdFixture;
import dev.cohort.tck.BackendFixture;
import dev.cohort.recipes.discovery.ServiceDiscoverySuite;

/** The ServiceDiscovery suite on a real etcd server. */
class EtcdServiceDiscoveryTest extends ServiceDiscoverySuite {
  @Override
  protected BackendFixture newFixture() {
    return new EtcdFixture();
  }
}
