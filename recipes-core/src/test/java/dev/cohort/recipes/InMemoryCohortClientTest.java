package dev.cohort.recipes;

import dev.cohort.inmemory.InMemoryFixture;
import dev.cohort.tck.BackendFixture;

class InMemoryCohortClientTest extends CohortClientSuite {
  @Override
  protected BackendFixture newFixture() {
    return new InMemoryFixture();
  }
}
