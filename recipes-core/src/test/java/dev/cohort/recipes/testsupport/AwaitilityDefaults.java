package dev.cohort.recipes.testsupport;

import java.time.Duration;
import org.awaitility.Awaitility;
import org.awaitility.pollinterval.PollInterval;
import org.junit.platform.launcher.TestExecutionListener;
import org.junit.platform.launcher.TestPlan;

/**
 * Sets Awaitility's defaults for every test JVM that has this module's test classes on its class
 * path (recipes-core itself and each backend module that runs the recipe suites from the test-jar).
 * The JUnit launcher finds it through {@code META-INF/services}.
 *
 * <p>Why: out of the box Awaitility waits one poll interval (100 ms) before it first looks at the
 * condition, so even an {@code await()} whose condition already holds costs 100 ms, and one that
 * comes true after 5 ms costs 100 ms too. The suites call {@code await()} in loops (a lost-reply test
 * waits for the connection before each of its 200 puts), which added up to minutes of CI. Here the
 * condition is first checked after 10 ms, then after pauses of 20, 40, 80 ms, and from then on every
 * 100 ms as before, so a slow condition is not polled more often than it was. Timeouts are
 * untouched: a wait that fails fails as before.
 *
 * <p>Not 0 ms: a check at once finds true some conditions a test awaits right after an action
 * whose other effects (a listener call on another thread) follow a moment later, and such a test
 * then asserts those effects too early. The 10 ms first pause keeps that margin.
 */
public final class AwaitilityDefaults implements TestExecutionListener {

  /** When a condition is first checked. */
  static final Duration FIRST_CHECK = Duration.ofMillis(10);
  /** The first pause between two checks. */
  static final Duration MIN_INTERVAL = Duration.ofMillis(20);
  /** The longest pause between two checks: Awaitility's own default interval. */
  static final Duration MAX_INTERVAL = Duration.ofMillis(100);

  /** Doubles from {@link #MIN_INTERVAL} up to {@link #MAX_INTERVAL}. */
  static final PollInterval DOUBLING = (pollCount, previous) -> {
    Duration doubled = pollCount <= 1 || previous == null ? MIN_INTERVAL : previous.multipliedBy(2);
    Duration next = doubled.compareTo(MIN_INTERVAL) < 0 ? MIN_INTERVAL : doubled;
    return next.compareTo(MAX_INTERVAL) > 0 ? MAX_INTERVAL : next;
  };

  @Override
  public void testPlanExecutionStarted(TestPlan testPlan) {
    Awaitility.setDefaultPollDelay(FIRST_CHECK);
    Awaitility.setDefaultPollInterval(DOUBLING);
  }
}
