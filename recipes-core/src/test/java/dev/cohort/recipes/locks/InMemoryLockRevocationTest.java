package dev.cohort.recipes.locks;

import dev.cohort.inmemory.InMemoryFixture;
import dev.cohort.tck.BackendFixture;

class InMemoryLockRevocationTest extends LockRevocationSuite {
  @Override
  protected BackendFixture newFixture() {
    return new InMemoryFixture();
  }
}
