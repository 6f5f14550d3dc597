package dev.cohort.tck;

import static org.junit.jupiter.api.Assumptions.assumeFalse;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.cohort.spi.Capability;
import java.util.Arrays;

/**
 * Skips a conformance test whose subject lacks an optional feature, naming the missing {@link
 * Capability} or {@link FaultControl} as the reason (JUnit shows it as the skip reason). Optional
 * features are never switched off with {@code @Disabled}: a backend that gains the feature runs the
 * test without any change to the suite.
 */
public final class Requirements {

  private Requirements() {}

  /** Skips unless the backend declares every capability in {@code capabilities}. */
  public static void requireCapability(BackendFixture fixture, Capability... capabilities) {
    for (Capability capability : capabilities) {
      assumeTrue(
          fixture.backend().has(capability),
          () -> "backend " + fixture.backend().name() + " lacks capability " + capability);
    }
  }

  /** Skips if the backend declares {@code capability}: the test checks the behaviour without it. */
  public static void requireMissingCapability(BackendFixture fixture, Capability capability) {
    assumeFalse(
        fixture.backend().has(capability),
        () -> "backend " + fixture.backend().name() + " has capability " + capability
            + "; this test checks the refusal a backend without it gives");
  }

  /** Skips unless the fixture offers every fault control in {@code controls}. */
  public static void requireFault(BackendFixture fixture, FaultControl... controls) {
    for (FaultControl control : controls) {
      assumeTrue(
          fixture.supports(control),
          () -> "fixture for " + fixture.backend().name() + " lacks fault control " + control
              + " (it offers " + Arrays.toString(fixture.faults().toArray()) + ")");
    }
  }
}
