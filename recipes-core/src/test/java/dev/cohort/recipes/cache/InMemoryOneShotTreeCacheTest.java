package dev.cohort.recipes.cache;

import dev.cohort.inmemory.InMemoryBackend;
import dev.cohort.inmemory.InMemoryFixture;
import dev.cohort.spi.Capability;
import dev.cohort.tck.BackendFixture;
import java.util.OptionalInt;
import java.util.OptionalLong;

/**
 * The tree cache suite on an in-memory backend without persistent watches: every cache falls back
 * to one-shot watches, as on a backend that never had them.
 */
class InMemoryOneShotTreeCacheTest extends TreeCacheSuite {
  @Override
  protected BackendFixture newFixture() {
    return new InMemoryFixture(InMemoryBackend.builder().withoutCapability(Capability.PERSISTENT_WATCHES));
  }

  @Override
  protected OptionalLong watchEventsDelivered() {
    return OptionalLong.of(((InMemoryFixture) fixture).watchEventsDelivered());
  }

  @Override
  protected OptionalInt registeredWatches() {
    return OptionalInt.of(((InMemoryFixture) fixture).registeredWatches());
  }
}
