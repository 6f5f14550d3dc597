package dev.cohort.inmemory.tck;

import dev.cohort.inmemory.InMemoryFixture;
import dev.cohort.tck.BackendFixture;
import dev.cohort.tck.OptionalNodeTypesConformance;

/** The in-memory backend against {@link OptionalNodeTypesConformance}. */
class InMemoryOptionalNodeTypesTest extends OptionalNodeTypesConformance {
  @Override
  protected BackendFixture newFixture() {
    return new InMemoryFixture();
  }
}
