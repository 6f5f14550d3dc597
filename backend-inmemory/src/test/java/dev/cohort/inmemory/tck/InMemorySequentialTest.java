package dev.cohort.inmemory.tck;

import dev.cohort.inmemory.InMemoryFixture;
import dev.cohort.tck.BackendFixture;
import dev.cohort.tck.SequentialConformance;

/** The in-memory backend against {@link SequentialConformance}. */
class InMemorySequentialTest extends SequentialConformance {
  @Override
  protected BackendFixture newFixture() {
    return new InMemoryFixture();
  }
}
