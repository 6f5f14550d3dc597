package dev.cohort.etcd.recipes;

import dev.cohort.etcd.EtcdFixture;
import dev.cohort.recipes.CohortClientSuite;
import dev.cohort.tck.BackendFixture;

/** The client suite (connection states, retries, session loss) on a real etcd server. */
class EtcdCohortClientTest extends CohortClientSuite {
  @Override
  protected BackendFixture newFixture() {
    return new EtcdFixture();
  }
}
