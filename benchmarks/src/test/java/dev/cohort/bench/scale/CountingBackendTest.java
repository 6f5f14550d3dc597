package dev.cohort.bench.scale;

import dev.cohort.bench.recipes.CountingBackend;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cohort.inmemory.InMemoryBackend;
import dev.cohort.recipes.Cohort;
import dev.cohort.spi.Capability;
import dev.cohort.spi.CreateMode;
import dev.cohort.spi.Op;
import dev.cohort.spi.Session;
import java.util.List;
import org.junit.jupiter.api.Test;

/** What the sweep calls a request: one Session call, async or blocking; a multi is one. */
class CountingBackendTest {

  @Test
  void countsEachSessionCallOnceAndAMultiAsOneAndNotTheSessionOpening() throws Exception {
    try (CountingBackend backend = new CountingBackend(InMemoryBackend.create())) {
      Session session = backend.openSession().join();
      assertEquals(0, backend.requests(), "opening a session is not a request");

      session.create("/a", new byte[0], CreateMode.PERSISTENT).join();
      session.getData("/a").join();
      session.multi(List.of(Op.create("/b", new byte[0], CreateMode.PERSISTENT), Op.delete("/b", -1))).join();
      session.blocking().exists("/a");
      assertEquals(4, backend.requests());

      Session other = backend.openSession().join();
      other.getChildren("/").join();
      assertEquals(5, backend.requests(), "every session of the backend counts into one total");
      session.close();
      other.close();
    }
  }

  @Test
  void recipesSeeTheWrappedBackendsCapabilitiesAndCountThroughIt() throws Exception {
    try (InMemoryBackend inner = InMemoryBackend.create(); CountingBackend backend = new CountingBackend(inner)) {
      for (Capability c : Capability.values()) {
        assertEquals(inner.has(c), backend.has(c), c.toString());
      }
      try (Cohort client = Cohort.builder(backend).build()) {
        client.start();
        long before = backend.requests();
        client.blocking().createWithParents("/x/y", new byte[0], CreateMode.PERSISTENT);
        assertTrue(backend.requests() > before, "a client's calls go through the counting sessions");
      }
    }
  }
}
