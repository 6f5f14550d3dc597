package dev.cohort.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cohort.recipes.Cohort;
import java.lang.reflect.Proxy;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * The extension's lifecycle driven by hand: a fresh fixture per test, closed afterwards, and the
 * registered histories checked after a passing test (and not piled onto a failing one).
 */
class CohortExtensionLifecycleTest {

  @Test
  void registeredHistoryViolationFailsTheTestAfterTheFixtureIsClosed() {
    CohortExtension extension = CohortExtension.inMemory();
    extension.beforeEach(context(null));
    Cohort client = extension.client();
    OwnershipHistory history = extension.check(new OwnershipHistory("lock /x"));
    history.acquired("/x", "a", 5);
    history.acquired("/x", "b", 6);

    HistoryViolation v = assertThrows(HistoryViolation.class, () -> extension.afterEach(context(null)));
    assertEquals(1, v.violations().size());
    assertTrue(client.isClosed(), "the fixture and its clients were closed before the check ran");
    assertThrows(IllegalStateException.class, extension::fixture, "no fixture outside a test");
  }

  @Test
  void aTestThatAlreadyFailedKeepsItsOwnFailure() {
    CohortExtension extension = CohortExtension.inMemory();
    extension.beforeEach(context(null));
    OwnershipHistory history = extension.check(new OwnershipHistory("lock /x"));
    history.released("/x", "nobody", 1);
    extension.afterEach(context(new AssertionError("the test's own failure")));
  }

  @Test
  void eachTestGetsAFreshFixtureAndTheChecksOfTheLastTestAreForgotten() throws InterruptedException {
    CohortExtension extension = CohortExtension.inMemory();
    extension.beforeEach(context(null));
    CohortFixture first = extension.fixture();
    extension.client().blocking().create("/left-over", new byte[0], dev.cohort.spi.CreateMode.PERSISTENT);
    extension.check(new OwnershipHistory("broken")).released("/y", "nobody", 1);
    extension.afterEach(context(new AssertionError("failed")));

    extension.beforeEach(context(null));
    CohortFixture second = extension.fixture();
    assertTrue(first != second);
    assertEquals(null, extension.client().blocking().exists("/left-over", null), "the new backend starts empty");
    extension.afterEach(context(null)); // the broken history of the last test is not checked again
  }

  /** An ExtensionContext that answers what the extension asks for: no annotations, and an outcome. */
  private static ExtensionContext context(Throwable failure) {
    return (ExtensionContext) Proxy.newProxyInstance(ExtensionContext.class.getClassLoader(),
        new Class<?>[] {ExtensionContext.class}, (proxy, method, args) -> switch (method.getName()) {
          case "getExecutionException" -> Optional.ofNullable(failure);
          case "getTestMethod", "getTestClass", "getElement" -> Optional.empty();
          case "toString" -> "test context";
          default -> throw new UnsupportedOperationException(method.getName());
        });
  }
}
