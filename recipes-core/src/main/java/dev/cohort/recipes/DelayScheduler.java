package dev.cohort.recipes;

import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.Executor;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * Where the client waits out retry backoff: it runs a task after a delay. The default schedules on
 * a daemon thread of the client's own; tests on virtual time pass {@link #immediate(Executor)} so
 * retries happen without waiting.
 */
@FunctionalInterface
public interface DelayScheduler {

  /** Runs {@code task} once, no sooner than {@code delay} from now, on a thread other than the caller's. */
  void schedule(Duration delay, Runnable task);

  /** Schedules on {@code executor}; the executor stays owned by the caller. */
  static DelayScheduler of(ScheduledExecutorService executor) {
    Objects.requireNonNull(executor, "executor");
    return (delay, task) -> executor.schedule(task, delay.toNanos(), TimeUnit.NANOSECONDS);
  }

  /** Ignores delays and hands the task to {@code executor} at once: for tests on virtual time. */
  static DelayScheduler immediate(Executor executor) {
    Objects.requireNonNull(executor, "executor");
    return (delay, task) -> executor.execute(task);
  }
}
