package dev.cohort.inmemory.tck;

import dev.cohort.inmemory.InMemoryFixture;
import dev.cohort.tck.BackendFixture;
import dev.cohort.tck.ModelBasedConformance;

/** The in-memory backend against {@link ModelBasedConformance}. */
class InMemoryModelBasedTest extends ModelBasedConformance {
  @Override
  protected BackendFixture newFixture() {
    return new InMemoryFixture();
  }
}
