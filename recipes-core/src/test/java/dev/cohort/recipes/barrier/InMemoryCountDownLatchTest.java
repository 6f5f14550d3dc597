package dev.cohort.recipes.barrier;

import dev.cohort.inmemory.InMemoryBackend;
import dev.cohort.inmemory.InMemoryFixture;
import dev.cohort.tck.BackendFixture;
import java.util.OptionalLong;

/** The count-down latch suite on the in-memory backend. */
class InMemoryCountDownLatchTest extends CountDownLatchSuite {
  @Override
  protected BackendFixture newFixture() {
    return new InMemoryFixture();
  }

  @Override
  protected OptionalLong watchEventsDelivered() {
    return OptionalLong.of(((InMemoryBackend) fixture.backend()).watchEventsDelivered());
  }
}
