package dev.cohort.inmemory.tck;

import dev.cohort.inmemory.InMemoryFixture;
import dev.cohort.tck.BackendFixture;
import dev.cohort.tck.StatConformance;

/** The in-memory backend against {@link StatConformance}. */
class InMemoryStatTest extends StatConformance {
  @Override
  protected BackendFixture newFixture() {
    return new InMemoryFixture();
  }
}
