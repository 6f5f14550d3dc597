package dev.cohort.recipes.locks;

import dev.cohort.inmemory.InMemoryFixture;
import dev.cohort.tck.BackendFixture;
import java.util.OptionalInt;

class InMemoryAsyncAcquireTest extends AsyncAcquireSuite {
  @Override
  protected BackendFixture newFixture() {
    return new InMemoryFixture();
  }

  @Override
  protected OptionalInt registeredWatches() {
    return OptionalInt.of(((InMemoryFixture) fixture).registeredWatches());
  }
}
