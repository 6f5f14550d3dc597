package dev.cohort.inmemory.tck;

import dev.cohort.inmemory.InMemoryFixture;
import dev.cohort.tck.BackendFixture;
import dev.cohort.tck.SessionConformance;

/** The in-memory backend against {@link SessionConformance}. */
class InMemorySessionTest extends SessionConformance {
  @Override
  protected BackendFixture newFixture() {
    return new InMemoryFixture();
  }
}
