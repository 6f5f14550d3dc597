package dev.cohort.recipes.locks;

import dev.cohort.inmemory.InMemoryFixture;
import dev.cohort.tck.BackendFixture;

class InMemoryLockWatchLeakTest extends LockWatchLeakSuite {
  @Override
  protected BackendFixture newFixture() {
    return new InMemoryFixture();
  }

  @Override
  protected int registeredWatches() {
    return ((InMemoryFixture) fixture).registeredWatches();
  }
}
