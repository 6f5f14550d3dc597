package dev.cohort.recipes.discovery;

import dev.cohort.inmemory.InMemoryFixture;
import dev.cohort.tck.BackendFixture;

/** The service discovery suite on the in-memory backend. */
class InMemoryServiceDiscoveryTest extends ServiceDiscoverySuite {
  @Override
  protected BackendFixture newFixture() {
    return new InMemoryFixture();
  }
}
