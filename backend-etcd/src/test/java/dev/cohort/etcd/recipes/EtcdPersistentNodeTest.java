package dev.cohort.etcd.recipes;

import dev.cohort.etcd.EtcdFixture;
import dev.cohort.recipes.node.PersistentNodeSuite;
import dev.cohort.tck.BackendFixture;

/** The persistent-node suite on a real etcd server (no TTL nodes: those tests check the refusal). */
class EtcdPersistentNodeTest extends PersistentNodeSuite {
  @Override
  protected BackendFixture newFixture() {
    return new EtcdFixture();
  }
}
