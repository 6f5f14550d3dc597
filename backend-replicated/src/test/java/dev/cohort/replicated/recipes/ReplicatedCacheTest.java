package dev.cohort.replicated.recipes;

import dev.cohort.recipes.cache.CacheSuite;
import dev.cohort.tck.BackendFixture;
import java.util.OptionalLong;

/** The Cache suite on three replicas. */
class ReplicatedCacheTest extends CacheSuite {
  @Override
  protected BackendFixture newFixture() {
    return new ReplicatedRecipeFixture();
  }

  @Override
  protected OptionalLong watchEventsDelivered() {
    return OptionalLong.of(((ReplicatedRecipeFixture) fixture).backend().watchEventsDelivered());
  }
}
