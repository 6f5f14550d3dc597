package dev.cohort.recipes.partition;

import dev.cohort.inmemory.InMemoryFixture;
import dev.cohort.spi.TimeSource;
import dev.cohort.tck.BackendFixture;

/** The partition claimer suite on the in-memory backend; grace periods pass on its virtual clock. */
class InMemoryPartitionClaimerTest extends PartitionClaimerSuite {
  private InMemoryFixture fixture;

  @Override
  protected BackendFixture newFixture() {
    fixture = new InMemoryFixture();
    return fixture;
  }

  @Override
  protected TimeSource virtualClock() {
    return fixture.time();
  }
}
