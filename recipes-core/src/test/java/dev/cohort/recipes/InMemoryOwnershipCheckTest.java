package dev.cohort.recipes;

import dev.cohort.inmemory.InMemoryFixture;
import dev.cohort.tck.BackendFixture;

class InMemoryOwnershipCheckTest extends OwnershipCheckSuite {
  @Override
  protected BackendFixture newFixture() {
    return new InMemoryFixture();
  }
}
