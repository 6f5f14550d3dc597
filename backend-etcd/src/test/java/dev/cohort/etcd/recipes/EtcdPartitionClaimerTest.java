package dev.cohort.etcd.recipes;

import dev.cohort.etcd.EtcdFixture;
import dev.cohort.tck.BackendFixture;
import dev.cohort.recipes.partition.PartitionClaimerSuite;

/** The PartitionClaimer suite on a real etcd server. */
class EtcdPartitionClaimerTest extends PartitionClaimerSuite {
  @Override
  protected BackendFixture newFixture() {
    return new EtcdFixture();
  }
}
