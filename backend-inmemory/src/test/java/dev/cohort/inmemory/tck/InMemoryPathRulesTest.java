package dev.cohort.inmemory.tck;

import dev.cohort.inmemory.InMemoryFixture;
import dev.cohort.tck.BackendFixture;
import dev.cohort.tck.PathRulesConformance;

/** The in-memory backend against {@link PathRulesConformance}. */
class InMemoryPathRulesTest extends PathRulesConformance {
  @Override
  protected BackendFixture newFixture() {
    return new InMemoryFixture();
  }
}
