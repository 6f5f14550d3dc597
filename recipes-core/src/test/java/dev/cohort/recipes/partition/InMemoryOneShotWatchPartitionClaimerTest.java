package dev.cohort.recipes.partition;

import dev.cohort.inmemory.InMemoryBackend;
import dev.cohort.inmemory.InMemoryFixture;
import dev.cohort.spi.Capability;
import dev.cohort.spi.TimeSource;
import dev.cohort.tck.BackendFixture;

/**
 * The partition claimer suite on the in-memory backend without persistent watches: the claimer
 * then follows owner and member nodes with one-shot data watches, as on backends that lack them.
 */
class InMemoryOneShotWatchPartitionClaimerTest extends PartitionClaimerSuite {
  private InMemoryFixture fixture;

  @Override
  protected BackendFixture newFixture() {
    fixture = new InMemoryFixture(InMemoryBackend.builder().withoutCapability(Capability.PERSISTENT_WATCHES));
    return fixture;
  }

  @Override
  protected TimeSource virtualClock() {
    return fixture.time();
  }
}
