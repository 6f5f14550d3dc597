package dev.cohort.replicated.recipes;

import dev.cohort.recipes.cache.CacheSuite;
import dev.cohort.replicated.ReplicatedFixture;
import dev.cohort.tck.BackendFixture;
import java.util.OptionalLong;

/** The Cache suite on three replicas. */
class ReplicatedCacheTest extends CacheSuite {
  @Override
  protected BackendFixture newFixture() {
    return new ReplicatedFixture();
  }

  @Override
  protected OptionalLong watchEventsDelivered() {
    return OptionalLong.of(((ReplicatedFixture) fixture).backend().watchEventsDelivered());
  }
}
