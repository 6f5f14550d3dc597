package dev.cohort.recipes.barrier;

import dev.cohort.inmemory.InMemoryFixture;
import dev.cohort.tck.BackendFixture;

/** The barrier suite on the in-memory backend. */
class InMemoryBarrierTest extends BarrierSuite {
  @Override
  protected BackendFixture newFixture() {
    return new InMemoryFixture();
  }
}
