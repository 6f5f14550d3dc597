package dev.cohort.inmemory.tck;

import dev.cohort.inmemory.InMemoryFixture;
import dev.cohort.tck.BackendFixture;
import dev.cohort.tck.WatchConformance;

/** The in-memory backend against {@link WatchConformance}. */
class InMemoryWatchTest extends WatchConformance {
  @Override
  protected BackendFixture newFixture() {
    return new InMemoryFixture();
  }
}
