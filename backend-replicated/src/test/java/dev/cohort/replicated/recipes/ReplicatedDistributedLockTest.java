package dev.cohort.replicated.recipes;

import dev.cohort.recipes.locks.DistributedLockSuite;
import dev.cohort.replicated.ReplicatedFixture;
import dev.cohort.tck.BackendFixture;
import java.util.OptionalLong;

/** The DistributedLock suite on three replicas. */
class ReplicatedDistributedLockTest extends DistributedLockSuite {
  @Override
  protected BackendFixture newFixture() {
    return new ReplicatedFixture();
  }

  @Override
  protected OptionalLong watchEventsDelivered() {
    return OptionalLong.of(((ReplicatedFixture) fixture).backend().watchEventsDelivered());
  }
}
