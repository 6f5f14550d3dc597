package dev.cohort.recipes.rendezvous;

import dev.cohort.inmemory.InMemoryFixture;
import dev.cohort.tck.BackendFixture;

/** The rendezvous suite on the in-memory backend. */
class InMemoryRendezvousTest extends RendezvousSuite {
  @Override
  protected BackendFixture newFixture() {
    return new InMemoryFixture();
  }
}
