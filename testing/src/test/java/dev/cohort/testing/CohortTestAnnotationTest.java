package dev.cohort.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertSame;

import dev.cohort.recipes.Cohort;
import dev.cohort.recipes.ConnectionState;
import dev.cohort.spi.CoordinationBackend;
import dev.cohort.spi.CreateMode;
import org.junit.jupiter.api.Test;

/** {@link CohortTest}: parameters resolved per test, the method's annotation over the class's. */
@CohortTest
class CohortTestAnnotationTest {

  @Test
  void parametersShareOneFixtureAndOneClientPerTest(CohortFixture fixture, Cohort client, Cohort same,
      CoordinationBackend backend) throws InterruptedException {
    assertSame(client, same, "every Cohort parameter of one test is the same client");
    assertSame(fixture.backend(), backend);
    // The client runs on its own view of the fixture's backend, through which the fixture can crash it.
    assertSame(backend, ((ClientBackend) client.backend()).delegate());
    assertEquals(backend.capabilities(), client.backend().capabilities());
    assertEquals(BackendKind.IN_MEMORY, fixture.kind(), "the class default is in-memory");
    assertEquals(ConnectionState.CONNECTED, client.connectionState());
    client.blocking().create("/a", new byte[0], CreateMode.PERSISTENT);
    assertNotNull(fixture.newClient().blocking().exists("/a", null));
  }

  @Test
  @CohortTest(backend = BackendKind.REPLICATED, replicas = 3)
  void methodAnnotationPicksTheReplicatedBackend(CohortFixture fixture, Cohort client) throws InterruptedException {
    assertEquals(BackendKind.REPLICATED, fixture.kind());
    assertEquals(3, fixture.replicas());
    client.blocking().create("/r", new byte[0], CreateMode.PERSISTENT);
    assertNotNull(fixture.newClient().blocking().exists("/r", null));
  }
}
