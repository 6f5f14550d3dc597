package dev.cohort.recipes.leader;

import dev.cohort.inmemory.InMemoryFixture;
import dev.cohort.tck.BackendFixture;

class InMemoryLeaderLatchTest extends LeaderLatchSuite {
  @Override
  protected BackendFixture newFixture() {
    return new InMemoryFixture();
  }
}
