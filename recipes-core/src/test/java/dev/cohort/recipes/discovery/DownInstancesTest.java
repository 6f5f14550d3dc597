package dev.cohort.recipes.discovery;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.cohort.recipes.SteppedClock;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The down-instance policy's arithmetic, on a stepped clock and without a backend. */
class DownInstancesTest {
  private static final ServiceInstance A = ServiceInstance.of("api", "a", "h", 1);
  private static final ServiceInstance B = ServiceInstance.of("api", "b", "h", 2);
  private static final List<ServiceInstance> BOTH = List.of(A, B);

  private final SteppedClock clock = new SteppedClock();

  @Test
  void withAThresholdOfOneASingleErrorPutsAnInstanceDown() {
    DownInstances down = new DownInstances(new DownInstancePolicy(Duration.ofSeconds(10), 1), clock);

    down.noteError("a");

    assertEquals(List.of(B), down.up(BOTH));
    clock.step(Duration.ofSeconds(10));
    assertEquals(BOTH, down.up(BOTH));
  }

  @Test
  void reportsWhileDownDoNotProlongIt() {
    DownInstances down = new DownInstances(new DownInstancePolicy(Duration.ofSeconds(10), 2), clock);
    down.noteError("a");
    down.noteError("a");
    clock.step(Duration.ofSeconds(9));

    down.noteError("a"); // a caller still holding the instance from an earlier pick

    clock.step(Duration.ofSeconds(1));
    assertEquals(BOTH, down.up(BOTH), "down for ten seconds from the error that reached the threshold");
  }

  @Test
  void anInstanceComingBackUpStartsAFreshCount() {
    DownInstances down = new DownInstances(new DownInstancePolicy(Duration.ofSeconds(10), 2), clock);
    down.noteError("a");
    down.noteError("a");
    clock.step(Duration.ofSeconds(10));

    down.noteError("a");

    assertEquals(BOTH, down.up(BOTH), "one error of the new window is below the threshold");
  }
}
