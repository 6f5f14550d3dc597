package dev.cohort.inmemory.tck;

import dev.cohort.inmemory.InMemoryBackend;
import dev.cohort.inmemory.InMemoryFixture;
import dev.cohort.spi.Capability;
import dev.cohort.tck.BackendFixture;
import dev.cohort.tck.OptionalNodeTypesConformance;
import dev.cohort.tck.PersistentWatchConformance;
import org.junit.jupiter.api.Nested;

/**
 * The in-memory backend built without its optional capabilities, so that the refusals a backend
 * without them must give (UNIMPLEMENTED, nothing changed) are checked too.
 */
class InMemoryWithoutOptionalFeaturesTest {

  private static BackendFixture bare() {
    return new InMemoryFixture(InMemoryBackend.builder()
        .withoutCapability(Capability.PERSISTENT_WATCHES)
        .withoutCapability(Capability.CONTAINER_NODES)
        .withoutCapability(Capability.TTL_NODES));
  }

  @Nested
  class PersistentWatches extends PersistentWatchConformance {
    @Override
    protected BackendFixture newFixture() {
      return bare();
    }
  }

  @Nested
  class NodeTypes extends OptionalNodeTypesConformance {
    @Override
    protected BackendFixture newFixture() {
      return bare();
    }
  }
}
