package dev.cohort.recipes.leader;

import dev.cohort.inmemory.InMemoryFixture;
import dev.cohort.tck.BackendFixture;

class InMemoryLeaderSelectorTest extends LeaderSelectorSuite {
  @Override
  protected BackendFixture newFixture() {
    return new InMemoryFixture();
  }
}
