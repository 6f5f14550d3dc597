package dev.cohort.recipes.node;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.cohort.inmemory.InMemoryBackend;
import dev.cohort.inmemory.InMemoryFixture;
import dev.cohort.recipes.Cohort;
import dev.cohort.spi.Capability;
import dev.cohort.spi.TimeSource;
import dev.cohort.spi.UnimplementedException;
import dev.cohort.tck.BackendFixture;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** The persistent-node suite on the in-memory backend, clients and service on one virtual clock. */
class InMemoryPersistentNodeTest extends PersistentNodeSuite {
  @Override
  protected BackendFixture newFixture() {
    return new InMemoryFixture();
  }

  @Override
  protected TimeSource clientClock() {
    return ((InMemoryFixture) fixture).time();
  }

  @Test
  void ttlNodeIsRefusedAtConstructionOnABackendWithoutTtlNodes() throws Exception {
    try (InMemoryFixture without = new InMemoryFixture(InMemoryBackend.builder().withoutCapability(Capability.TTL_NODES));
        Cohort c = Cohort.builder(without.backend()).timeSource(without.time()).build()) {
      c.start();
      UnimplementedException e = assertThrows(UnimplementedException.class,
          () -> new PersistentTtlNode(c, "/t", Duration.ofSeconds(1), new byte[0]));
      assertEquals("/t", e.path());
      assertFalse(without.openSession().exists("/t").get() != null, "nothing created");
    }
  }
}
