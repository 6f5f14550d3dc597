package dev.cohort.inmemory.tck;

import dev.cohort.inmemory.InMemoryFixture;
import dev.cohort.tck.BackendFixture;
import dev.cohort.tck.OrderingConformance;

/** The in-memory backend against {@link OrderingConformance}. */
class InMemoryOrderingTest extends OrderingConformance {
  @Override
  protected BackendFixture newFixture() {
    return new InMemoryFixture();
  }
}
