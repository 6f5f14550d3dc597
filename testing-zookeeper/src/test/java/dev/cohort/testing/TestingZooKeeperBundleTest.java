package dev.cohort.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cohort.recipes.Cohort;
import dev.cohort.spi.CreateMode;
import dev.cohort.spi.Session;
import dev.cohort.spi.SessionState;
import java.time.Duration;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * This module's only job: with {@code testing-zookeeper} as the one Cohort test dependency (this
 * module's class path is exactly that, plus JUnit and a logger), the ZooKeeper fixture runs.
 */
class TestingZooKeeperBundleTest {

  @Test
  void theBundleAloneBringsEverythingTheZooKeeperFixtureNeeds() throws InterruptedException {
    assertEquals(Optional.empty(), Engines.unavailable(BackendKind.ZOOKEEPER));
    try (CohortFixture fixture = CohortFixture.zookeeper()) {
      Cohort client = fixture.newClient();
      Session owner = fixture.openSession(Duration.ofSeconds(5));
      owner.create("/eph", new byte[0], CreateMode.EPHEMERAL).join();
      assertNotNull(client.blocking().exists("/eph", null));
      fixture.expire(owner);
      assertEquals(SessionState.EXPIRED, owner.state());
      assertNull(client.blocking().exists("/eph", null), "the embedded server expired the session for real");
    }
  }

  // etcd is not part of this bundle (it comes with dev.cohort:backend-etcd)
  @EveryBackendTest(backends = {BackendKind.IN_MEMORY, BackendKind.REPLICATED, BackendKind.ZOOKEEPER})
  void everyBackendRunsWithTheBundle(CohortFixture fixture, Cohort client) throws InterruptedException {
    client.blocking().create("/x", new byte[] {1}, CreateMode.PERSISTENT);
    assertNotNull(fixture.newClient().blocking().exists("/x", null));
  }

  @Test
  void aClassTheBundleBroughtButTheBuildExcludedIsNamedWithThatAdvice() {
    ClassLoader withoutMetrics = new ClassLoader(getClass().getClassLoader()) {
      @Override
      protected Class<?> loadClass(String name, boolean resolve) throws ClassNotFoundException {
        if (name.startsWith("com.codahale.metrics.")) {
          throw new ClassNotFoundException(name);
        }
        return super.loadClass(name, resolve);
      }
    };
    IllegalStateException e = assertThrows(IllegalStateException.class,
        () -> Engines.requireRuntime(BackendKind.ZOOKEEPER, withoutMetrics));
    assertTrue(e.getMessage().contains("io.dropwizard.metrics:metrics-core"), e.getMessage());
    assertTrue(e.getMessage().contains("testing-zookeeper is on the class path"),
        "the bundle's marker is seen, so the advice is to keep what it brings: " + e.getMessage());
  }
}
