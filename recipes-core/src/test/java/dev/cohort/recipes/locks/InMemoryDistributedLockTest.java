package dev.cohort.recipes.locks;

import dev.cohort.inmemory.InMemoryFixture;
import dev.cohort.tck.BackendFixture;
import java.util.OptionalLong;

class InMemoryDistributedLockTest extends DistributedLockSuite {
  @Override
  protected BackendFixture newFixture() {
    return new InMemoryFixture();
  }

  @Override
  protected OptionalLong watchEventsDelivered() {
    return OptionalLong.of(((InMemoryFixture) fixture).watchEventsDelivered());
  }
}
