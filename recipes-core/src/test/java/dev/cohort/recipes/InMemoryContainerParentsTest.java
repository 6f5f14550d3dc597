package dev.cohort.recipes;

import dev.cohort.inmemory.InMemoryFixture;
import dev.cohort.tck.BackendFixture;

class InMemoryContainerParentsTest extends ContainerParentsSuite {
  @Override
  protected BackendFixture newFixture() {
    return new InMemoryFixture();
  }
}
