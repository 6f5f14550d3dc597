package dev.cohort.etcd.recipes;

import dev.cohort.etcd.EtcdFixture;
import dev.cohort.recipes.ContainerParentsSuite;
import dev.cohort.tck.BackendFixture;

/** The container-parents suite on etcd, which has no containers: directories stay. */
class EtcdContainerParentsTest extends ContainerParentsSuite {
  @Override
  protected BackendFixture newFixture() {
    return new EtcdFixture();
  }
}
