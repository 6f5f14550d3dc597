package dev.cohort.recipes.counter;

import dev.cohort.inmemory.InMemoryFixture;
import dev.cohort.tck.BackendFixture;

/** The counter suite on the in-memory backend. */
class InMemoryCounterTest extends CounterSuite {
  @Override
  protected BackendFixture newFixture() {
    return new InMemoryFixture();
  }
}
