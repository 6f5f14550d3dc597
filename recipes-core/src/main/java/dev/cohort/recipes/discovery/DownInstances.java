package dev.cohort.recipes.discovery;

import dev.cohort.spi.TimeSource;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * One provider's record of the instances its callers reported failing, applying a {@link
 * DownInstancePolicy} on a {@link TimeSource}. Per instance id it keeps the start of the current
 * error window, the errors in it, and whether the threshold was reached; an entry whose window
 * has passed is dropped when next seen, so the map holds only ids with recent errors.
 *
 * <p>Thread-safe: each entry is replaced whole inside {@link ConcurrentHashMap#compute}.
 */
final class DownInstances {
  private final long timeoutNanos;
  private final int threshold;
  private final TimeSource clock;
  /** Recent errors by instance id; entries are immutable. */
  private final Map<String, Errors> errors = new ConcurrentHashMap<>();

  /**
   * Errors of one instance since {@code sinceNanos}; when {@code count} reached the threshold,
   * the window restarted at that error and now measures how long the instance stays down.
   */
  private record Errors(long sinceNanos, int count, boolean down) {}

  DownInstances(DownInstancePolicy policy, TimeSource clock) {
    this.timeoutNanos = policy.timeout().toNanos();
    this.threshold = policy.errorThreshold();
    this.clock = clock;
  }

  void noteError(String id) {
    long now = clock.nanoTime();
    errors.compute(id, (key, last) -> {
      if (last == null || passed(last, now)) {
        return threshold == 1 ? new Errors(now, 1, true) : new Errors(now, 1, false);
      }
      if (last.down()) {
        return last; // already down until its window passes; late reports do not prolong it
      }
      int count = last.count() + 1;
      return count >= threshold ? new Errors(now, count, true) : new Errors(last.sinceNanos(), count, false);
    });
  }

  /** The instances of {@code live} that are not down now, in their order. */
  List<ServiceInstance> up(List<ServiceInstance> live) {
    if (errors.isEmpty()) {
      return live;
    }
    long now = clock.nanoTime();
    errors.values().removeIf(e -> passed(e, now));
    List<ServiceInstance> up = new ArrayList<>(live.size());
    for (ServiceInstance instance : live) {
      Errors e = errors.get(instance.id());
      if (e == null || !e.down() || passed(e, now)) {
        up.add(instance);
      }
    }
    return up.size() == live.size() ? live : List.copyOf(up);
  }

  private boolean passed(Errors e, long now) {
    return now - e.sinceNanos() >= timeoutNanos;
  }
}
