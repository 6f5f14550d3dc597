package dev.cohort.replicated.recipes;

import dev.cohort.recipes.counter.CounterSuite;
import dev.cohort.tck.BackendFixture;

/** The Counter suite on three replicas. */
class ReplicatedCounterTest extends CounterSuite {
  @Override
  protected BackendFixture newFixture() {
    return new ReplicatedRecipeFixture();
  }
}
