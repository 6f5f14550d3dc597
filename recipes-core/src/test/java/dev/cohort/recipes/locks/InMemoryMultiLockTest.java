package dev.cohort.recipes.locks;

import dev.cohort.inmemory.InMemoryFixture;
import dev.cohort.tck.BackendFixture;

class InMemoryMultiLockTest extends MultiLockSuite {
  @Override
  protected BackendFixture newFixture() {
    return new InMemoryFixture();
  }
}
