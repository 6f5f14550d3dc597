package dev.cohort.etcd.tck;

import dev.cohort.etcd.EtcdFixture;
import dev.cohort.tck.BackendFixture;
import dev.cohort.tck.PathRulesConformance;

/** A real etcd server against {@link PathRulesConformance}. */
class EtcdPathRulesTest extends PathRulesConformance {
  @Override
  protected BackendFixture newFixture() {
    return new EtcdFixture();
  }
}
