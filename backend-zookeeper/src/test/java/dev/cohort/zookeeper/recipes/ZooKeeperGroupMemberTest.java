package dev.cohort.zookeeper.recipes;

import dev.cohort.recipes.group.GroupMemberSuite;
import dev.cohort.tck.BackendFixture;
import dev.cohort.zookeeper.ZooKeeperFixture;

/** The group membership suite on a real ZooKeeper server. */
class ZooKeeperGroupMemberTest extends GroupMemberSuite {
  @Override
  protected BackendFixture newFixture() {
    return new ZooKeeperFixture();
  }
}
