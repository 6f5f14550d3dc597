package dev.cohort.recipes.queue;

import dev.cohort.inmemory.InMemoryFixture;
import dev.cohort.tck.BackendFixture;

/** The work queue suite on the in-memory backend. */
class InMemoryWorkQueueTest extends WorkQueueSuite {
  @Override
  protected BackendFixture newFixture() {
    return new InMemoryFixture();
  }
}
