package dev.cohort.recipes.group;

import dev.cohort.inmemory.InMemoryFixture;
import dev.cohort.tck.BackendFixture;

/** The group membership suite on the in-memory backend. */
class InMemoryGroupMemberTest extends GroupMemberSuite {
  @Override
  protected BackendFixture newFixture() {
    return new InMemoryFixture();
  }
}
