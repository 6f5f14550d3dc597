package dev.cohort.inmemory.tck;

import dev.cohort.inmemory.InMemoryFixture;
import dev.cohort.tck.BackendFixture;
import dev.cohort.tck.BlockingSessionConformance;

/** The in-memory backend (the SPI's default blocking view) against {@link BlockingSessionConformance}. */
class InMemoryBlockingSessionTest extends BlockingSessionConformance {
  @Override
  protected BackendFixture newFixture() {
    return new InMemoryFixture();
  }
}
