package dev.cohort.inmemory.tck;

import dev.cohort.inmemory.InMemoryFixture;
import dev.cohort.tck.BackendFixture;
import dev.cohort.tck.MultiConformance;

/** The in-memory backend against {@link MultiConformance}. */
class InMemoryMultiTest extends MultiConformance {
  @Override
  protected BackendFixture newFixture() {
    return new InMemoryFixture();
  }
}
