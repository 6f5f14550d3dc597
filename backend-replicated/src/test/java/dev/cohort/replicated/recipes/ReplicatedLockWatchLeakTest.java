package dev.cohort.replicated.recipes;

import dev.cohort.recipes.locks.LockWatchLeakSuite;
import dev.cohort.replicated.ReplicatedFixture;
import dev.cohort.tck.BackendFixture;

/** The lock watch-leak test on the replicated backend, counting every replica's watches. */
class ReplicatedLockWatchLeakTest extends LockWatchLeakSuite {
  @Override
  protected BackendFixture newFixture() {
    return new ReplicatedFixture();
  }

  @Override
  protected int registeredWatches() {
    return ((ReplicatedFixture) fixture).registeredWatches();
  }
}
