package dev.cohort.recipes;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.Optional;
import java.util.SplittableRandom;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.LongRange;
import org.junit.jupiter.api.Test;

class ExponentialBackoffTest {

  private final ExponentialBackoff policy =
      new ExponentialBackoff(Duration.ofMillis(10), Duration.ofSeconds(1), 8, Duration.ofSeconds(5));

  @Property
  void delayStaysWithinHalfToFullOfCappedNominal(@ForAll @IntRange(min = 1, max = 8) int retry,
      @ForAll @LongRange(min = 0) long seed) {
    Duration delay = policy.delayBeforeRetry(retry, Duration.ZERO, new SplittableRandom(seed)).orElseThrow();
    long nominal = Math.min(Duration.ofSeconds(1).toNanos(), Duration.ofMillis(10).toNanos() << (retry - 1));
    assertTrue(delay.toNanos() >= nominal / 2, () -> delay + " below half of " + nominal);
    assertTrue(delay.toNanos() <= nominal, () -> delay + " above " + nominal);
  }

  @Test
  void nominalDelayDoublesUntilTheCapAndNeverOverflows() {
    assertEquals(Duration.ofMillis(10).toNanos(), policy.nominalDelayNanos(1));
    assertEquals(Duration.ofMillis(20).toNanos(), policy.nominalDelayNanos(2));
    assertEquals(Duration.ofMillis(640).toNanos(), policy.nominalDelayNanos(7));
    assertEquals(Duration.ofSeconds(1).toNanos(), policy.nominalDelayNanos(8));
    assertEquals(Duration.ofSeconds(1).toNanos(), policy.nominalDelayNanos(Integer.MAX_VALUE));
  }

  @Test
  void givesUpAfterMaxRetriesOrMaxElapsed() {
    SplittableRandom random = new SplittableRandom(1);
    assertTrue(policy.delayBeforeRetry(8, Duration.ofSeconds(4), random).isPresent());
    assertEquals(Optional.empty(), policy.delayBeforeRetry(9, Duration.ZERO, random));
    assertEquals(Optional.empty(), policy.delayBeforeRetry(1, Duration.ofSeconds(5), random));
  }

  @Test
  void jitterSpreadsClientsThatRetryTogether() {
    long first = policy.delayBeforeRetry(5, Duration.ZERO, new SplittableRandom(1)).orElseThrow().toNanos();
    boolean differs = false;
    for (long seed = 2; seed < 20 && !differs; seed++) {
      differs = policy.delayBeforeRetry(5, Duration.ZERO, new SplittableRandom(seed)).orElseThrow().toNanos() != first;
    }
    assertTrue(differs, "every seed gave the same delay: no jitter");
  }

  @Test
  void rejectsNonsenseBoundsWithClearErrors() {
    assertThrows(IllegalArgumentException.class,
        () -> new ExponentialBackoff(Duration.ZERO, Duration.ofSeconds(1), 3, Duration.ofSeconds(1)));
    assertThrows(IllegalArgumentException.class,
        () -> new ExponentialBackoff(Duration.ofSeconds(2), Duration.ofSeconds(1), 3, Duration.ofSeconds(1)));
    assertThrows(IllegalArgumentException.class,
        () -> new ExponentialBackoff(Duration.ofMillis(1), Duration.ofSeconds(1), -1, Duration.ofSeconds(1)));
  }

  @Test
  void noRetryPolicyNeverRetries() {
    assertEquals(Optional.empty(), RetryPolicy.none().delayBeforeRetry(1, Duration.ZERO, new SplittableRandom(1)));
  }
}
