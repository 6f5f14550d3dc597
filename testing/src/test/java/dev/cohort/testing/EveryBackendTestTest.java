package dev.cohort.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.platform.engine.discovery.DiscoverySelectors.selectClass;

import dev.cohort.recipes.Cohort;
import dev.cohort.spi.CoordinationBackend;
import dev.cohort.spi.CreateMode;
import java.time.Duration;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIf;
import org.junit.platform.engine.TestExecutionResult;
import org.junit.platform.launcher.TestExecutionListener;
import org.junit.platform.launcher.TestIdentifier;
import org.junit.platform.launcher.core.LauncherDiscoveryRequestBuilder;
import org.junit.platform.launcher.core.LauncherFactory;

/**
 * {@link EveryBackendTest}: one run per backend, each its own test named after its backend, each
 * with its own fixture; runs skipped with a reason where a required fault or the backend's jars are
 * missing. The sample classes are run through a JUnit launcher so that what a report shows can be
 * asserted.
 */
class EveryBackendTestTest {

  /** Whether {@link #run} is launching a sample: they run only then, never on their own. */
  private static volatile boolean launching;

  static boolean launching() {
    return launching;
  }

  /** Runs on every backend; the fixture, client and backend parameters belong to the run. */
  @EnabledIf("dev.cohort.testing.EveryBackendTestTest#launching")
  static class OnEveryBackendSample {
    @EveryBackendTest
    void writesAndReadsBack(CohortFixture fixture, Cohort client, CoordinationBackend backend)
        throws InterruptedException {
      assertTrue(backend == fixture.backend());
      client.blocking().create("/x", new byte[] {1}, CreateMode.PERSISTENT);
      assertNotNull(fixture.newClient().blocking().exists("/x", null));
    }

    @EveryBackendTest
    void passesOnlyInMemory(CohortFixture fixture) {
      assertEquals(BackendKind.IN_MEMORY, fixture.kind());
    }

    @EveryBackendTest(requires = Fault.VIRTUAL_TIME)
    void needsVirtualTime(CohortFixture fixture) {
      fixture.advanceTime(Duration.ofSeconds(1));
    }
  }

  /** A class-wide {@code @CohortTest} gives an {@code @EveryBackendTest} method no fixture of its own. */
  @CohortTest(backend = BackendKind.IN_MEMORY)
  @EnabledIf("dev.cohort.testing.EveryBackendTestTest#launching")
  static class UnderCohortTestSample {
    @EveryBackendTest(backends = {BackendKind.REPLICATED, BackendKind.ZOOKEEPER}, replicas = 1)
    void getsTheRunsFixture(CohortFixture fixture) {
      assertTrue(fixture.kind() != BackendKind.IN_MEMORY);
    }
  }

  @Test
  void eachBackendIsReportedAsItsOwnTestNamedAfterIt() {
    Map<String, String> results = run(OnEveryBackendSample.class);
    assertEquals("SUCCESSFUL", results.get("writesAndReadsBack in-memory"));
    assertEquals("SUCCESSFUL", results.get("writesAndReadsBack replicated (3 replicas)"));
    assertEquals("SUCCESSFUL", results.get("writesAndReadsBack zookeeper"));
    assertEquals("SUCCESSFUL", results.get("writesAndReadsBack etcd"));
    assertEquals("SUCCESSFUL", results.get("passesOnlyInMemory in-memory"));
    assertTrue(results.get("passesOnlyInMemory replicated (3 replicas)").startsWith("FAILED"), results.toString());
    assertTrue(results.get("passesOnlyInMemory zookeeper").startsWith("FAILED"), results.toString());
    assertTrue(results.get("passesOnlyInMemory etcd").startsWith("FAILED"), results.toString());
    assertEquals(12, results.size(), results.toString());
  }

  @Test
  void runOnABackendLackingARequiredFaultIsSkippedWithTheReason() {
    Map<String, String> results = run(OnEveryBackendSample.class);
    assertEquals("SUCCESSFUL", results.get("needsVirtualTime in-memory"));
    String replicated = results.get("needsVirtualTime replicated (3 replicas)");
    assertTrue(replicated.startsWith("ABORTED") && replicated.contains("VIRTUAL_TIME"), replicated);
    String zookeeper = results.get("needsVirtualTime zookeeper");
    assertTrue(zookeeper.startsWith("ABORTED") && zookeeper.contains("VIRTUAL_TIME"), zookeeper);
    String etcd = results.get("needsVirtualTime etcd");
    assertTrue(etcd.startsWith("ABORTED") && etcd.contains("VIRTUAL_TIME"), etcd);
  }

  @Test
  void classWideCohortTestStandsAsideForTheRuns() {
    Map<String, String> results = run(UnderCohortTestSample.class);
    assertEquals(Map.of("getsTheRunsFixture replicated (1 replica)", "SUCCESSFUL",
        "getsTheRunsFixture zookeeper", "SUCCESSFUL"), results);
  }

  /** Runs {@code testClass}; maps "method run-name" to the outcome ("FAILED: message" etc.). */
  private static Map<String, String> run(Class<?> testClass) {
    Map<String, String> results = new TreeMap<>();
    Map<String, String> names = new TreeMap<>();
    TestExecutionListener listener = new TestExecutionListener() {
      @Override
      public void executionStarted(TestIdentifier id) {
        names.put(id.getUniqueId(), id.getDisplayName());
      }

      @Override
      public void executionFinished(TestIdentifier id, TestExecutionResult result) {
        if (id.isTest()) {
          String method = names.get(id.getParentId().orElseThrow()).replaceAll("\\(.*", "");
          String outcome = result.getStatus() + result.getThrowable().map(t -> ": " + t.getMessage()).orElse("");
          results.put(method + " " + id.getDisplayName(), outcome);
        }
      }
    };
    launching = true;
    try {
      LauncherFactory.create().execute(
          LauncherDiscoveryRequestBuilder.request().selectors(selectClass(testClass)).build(), listener);
    } finally {
      launching = false;
    }
    return results;
  }
}
