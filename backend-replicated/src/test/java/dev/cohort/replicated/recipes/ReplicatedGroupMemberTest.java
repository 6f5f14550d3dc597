package dev.cohort.replicated.recipes;

import dev.cohort.recipes.group.GroupMemberSuite;
import dev.cohort.tck.BackendFixture;

/** The GroupMember suite on three replicas. */
class ReplicatedGroupMemberTest extends GroupMemberSuite {
  @Override
  protected BackendFixture newFixture() {
    return new ReplicatedRecipeFixture();
  }
}
