package dev.cohort.recipes.node;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.cohort.inmemory.InMemoryBackend;
import dev.cohort.inmemory.InMemoryFixture;
import dev.cohort.recipes.Cohort;
import dev.cohort.spi.CreateMode;
import dev.cohort.spi.Session;
import dev.cohort.spi.Capability;
import dev.cohort.spi.TimeSource;
import dev.cohort.spi.UnimplementedException;
import dev.cohort.tck.BackendFixture;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
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
  void closeWhileWaitingForAnotherSessionsNodeLeavesNoWatchBehind() throws Exception {
    InMemoryFixture f = (InMemoryFixture) fixture;
    Session other = f.openSession(SESSION_TIMEOUT);
    other.create(fullPath(""), new byte[0], CreateMode.PERSISTENT).get(10, TimeUnit.SECONDS);
    other.create(fullPath("/a"), new byte[0], CreateMode.EPHEMERAL).get(10, TimeUnit.SECONDS);
    Cohort c = newClient(Cohort.builder(f.backend()).timeSource(f.time()));
    PersistentNode node = PersistentNode.ephemeral(c, "/a", new byte[0]);
    node.start();
    await().atMost(Duration.ofSeconds(10)).until(() -> f.registeredWatches() == 1); // on their node

    node.close();

    await().atMost(Duration.ofSeconds(10)).until(() -> f.registeredWatches() == 0);
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
