package dev.cohort.recipes.cache;

import dev.cohort.inmemory.InMemoryBackend;
import dev.cohort.inmemory.InMemoryFixture;
import dev.cohort.tck.BackendFixture;
import java.util.OptionalLong;

/** The cache suite on the in-memory backend (which has persistent watches). */
class InMemoryCacheTest extends CacheSuite {
  @Override
  protected BackendFixture newFixture() {
    return new InMemoryFixture();
  }

  @Override
  protected OptionalLong watchEventsDelivered() {
    return OptionalLong.of(((InMemoryBackend) fixture.backend()).watchEventsDelivered());
  }
}
