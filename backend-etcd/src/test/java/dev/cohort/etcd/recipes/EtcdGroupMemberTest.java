package dev.cohort.etcd.recipes;

import dev.cohort.etcd.EtcdFixture;
import dev.cohort.tck.BackendFixture;
import dev.cohort.recipes.group.GroupMemberSuite;

/** The GroupMember suite on a real etcd server. */
class EtcdGroupMemberTest extends GroupMemberSuite {
  @Override
  protected BackendFixture newFixture() {
    return new EtcdFixture();
  }
}
