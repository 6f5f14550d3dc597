package dev.cohort.inmemory.tck;

import dev.cohort.inmemory.InMemoryFixture;
import dev.cohort.tck.BackendFixture;
import dev.cohort.tck.BadInputConformance;

/** The in-memory backend against {@link BadInputConformance}. */
class InMemoryBadInputTest extends BadInputConformance {
  @Override
  protected BackendFixture newFixture() {
    return new InMemoryFixture();
  }
}
