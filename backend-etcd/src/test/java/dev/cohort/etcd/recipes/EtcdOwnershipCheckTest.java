package dev.cohort.etcd.recipes;

import dev.cohort.etcd.EtcdFixture;
import dev.cohort.recipes.OwnershipCheckSuite;
import dev.cohort.tck.BackendFixture;

/** The ownership-check suite on a real etcd server. */
class EtcdOwnershipCheckTest extends OwnershipCheckSuite {
  @Override
  protected BackendFixture newFixture() {
    return new EtcdFixture();
  }
}
