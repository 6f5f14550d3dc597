package dev.cohort.recipes.leader;

import dev.cohort.inmemory.InMemoryFixture;
import dev.cohort.tck.BackendFixture;

class InMemoryLeadershipObserverTest extends LeadershipObserverSuite {
  @Override
  protected BackendFixture newFixture() {
    return new InMemoryFixture();
  }
}
