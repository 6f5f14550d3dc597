package dev.cohort.recipes.cache;

import dev.cohort.inmemory.InMemoryFixture;
import dev.cohort.tck.BackendFixture;
import java.util.OptionalInt;
import java.util.OptionalLong;

/** The tree cache suite on the in-memory backend (which has persistent watches). */
class InMemoryTreeCacheTest extends TreeCacheSuite {
  @Override
  protected BackendFixture newFixture() {
    return new InMemoryFixture();
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
