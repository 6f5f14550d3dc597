package dev.cohort.replicated.recipes;

import dev.cohort.recipes.discovery.ServiceDiscoverySuite;
import dev.cohort.tck.BackendFixture;

/** The ServiceDiscovery suite on three replicas. */
class ReplicatedServiceDiscoveryTest extends ServiceDiscoverySuite {
  @Override
  protected BackendFixture newFixture() {
    return new ReplicatedRecipeFixture();
  }
}
