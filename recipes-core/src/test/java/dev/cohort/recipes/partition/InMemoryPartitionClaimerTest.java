package dev.cohort.recipes.partition;

import dev.cohort.inmemory.InMemoryFixture;
import dev.cohort.tck.BackendFixture;

/** The partition claimer suite on the in-memory backend. */
class InMemoryPartitionClaimerTest extends PartitionClaimerSuite {
  @Override
  protected BackendFixture newFixture() {
    return new InMemoryFixture();
  }
}
