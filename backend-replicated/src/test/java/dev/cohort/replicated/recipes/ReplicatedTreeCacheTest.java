package dev.cohort.replicated.recipes;

import dev.cohort.recipes.cache.TreeCacheSuite;
import dev.cohort.tck.BackendFixture;
import java.util.OptionalLong;

/** The tree cache suite on three replicas. */
class ReplicatedTreeCacheTest extends TreeCacheSuite {
  @Override
  protected BackendFixture newFixture() {
    return new ReplicatedRecipeFixture();
  }

  @Override
  protected OptionalLong watchEventsDelivered() {
    return OptionalLong.of(((ReplicatedRecipeFixture) fixture).backend().watchEventsDelivered());
  }
}
