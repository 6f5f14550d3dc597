package dev.cohort.inmemory.tck;

import dev.cohort.inmemory.InMemoryFixture;
import dev.cohort.tck.BackendFixture;
import dev.cohort.tck.OwnWriteEventOrderConformance;

/** The in-memory backend against {@link OwnWriteEventOrderConformance}. */
class InMemoryOwnWriteEventOrderTest extends OwnWriteEventOrderConformance {
  @Override
  protected BackendFixture newFixture() {
    return new InMemoryFixture();
  }
}
