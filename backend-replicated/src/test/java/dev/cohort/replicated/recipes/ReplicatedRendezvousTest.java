package dev.cohort.replicated.recipes;

import dev.cohort.recipes.rendezvous.RendezvousSuite;
import dev.cohort.tck.BackendFixture;

/** The Rendezvous suite on three replicas. */
class ReplicatedRendezvousTest extends RendezvousSuite {
  @Override
  protected BackendFixture newFixture() {
    return new ReplicatedRecipeFixture();
  }
}
