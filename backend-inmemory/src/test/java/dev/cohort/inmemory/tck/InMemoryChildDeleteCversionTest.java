package dev.cohort.inmemory.tck;

import dev.cohort.inmemory.InMemoryFixture;
import dev.cohort.tck.BackendFixture;
import dev.cohort.tck.ChildDeleteCversionConformance;

/** The in-memory backend against {@link ChildDeleteCversionConformance}. */
class InMemoryChildDeleteCversionTest extends ChildDeleteCversionConformance {
  @Override
  protected BackendFixture newFixture() {
    return new InMemoryFixture();
  }
}
