package dev.cohort.inmemory.tck;

import dev.cohort.inmemory.InMemoryFixture;
import dev.cohort.tck.BackendFixture;
import dev.cohort.tck.PersistentWatchConformance;

/** The in-memory backend against {@link PersistentWatchConformance}. */
class InMemoryPersistentWatchTest extends PersistentWatchConformance {
  @Override
  protected BackendFixture newFixture() {
    return new InMemoryFixture();
  }
}
