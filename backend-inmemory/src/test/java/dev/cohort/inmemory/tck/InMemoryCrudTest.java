package dev.cohort.inmemory.tck;

import dev.cohort.inmemory.InMemoryFixture;
import dev.cohort.tck.BackendFixture;
import dev.cohort.tck.CrudConformance;

/** The in-memory backend against {@link CrudConformance}. */
class InMemoryCrudTest extends CrudConformance {
  @Override
  protected BackendFixture newFixture() {
    return new InMemoryFixture();
  }
}
