package dev.cohort.testing;

import dev.cohort.recipes.DelayScheduler;
import dev.cohort.spi.TimeSource;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Where the in-memory fixture's clients wait out delays: a task runs once its delay has passed in
 * real time <em>or</em> on the virtual clock, whichever comes first.
 *
 * <p>Both are needed. The clients measure time on the fixture's virtual clock, which stands still
 * until the test advances it, so a scheduler that waited for the virtual clock alone would never
 * run a retry a few milliseconds away, and the quick retries that carry a client over a lost reply
 * or a reconnect would wait for the test. A scheduler that waited for real time alone would make a
 * wait the test has {@linkplain CohortFixture#advanceTime advanced past} (a recipe's timeout, the
 * client's own "cut off too long" timer) last its full length in real time. A task run early by
 * real time finds its moment not yet reached on the virtual clock; the code that schedules on a
 * {@link DelayScheduler} checks its condition when run, as it must with any scheduler.
 *
 * <p>Tasks run on the scheduler's own daemon threads, never on the caller's and never on the
 * thread that advances the clock. Thread-safe. After {@link #close()}, tasks are dropped.
 */
final class VirtualTimeScheduler implements DelayScheduler, AutoCloseable {
  private final TimeSource clock;
  private final ScheduledThreadPoolExecutor executor;

  VirtualTimeScheduler(TimeSource clock) {
    this.clock = Objects.requireNonNull(clock, "clock");
    this.executor = new ScheduledThreadPoolExecutor(2, r -> {
      Thread t = new Thread(r, "cohort-fixture-delay");
      t.setDaemon(true);
      return t;
    });
    executor.setRemoveOnCancelPolicy(true);
  }

  @Override
  public void schedule(Duration delay, Runnable task) {
    Objects.requireNonNull(delay, "delay");
    Objects.requireNonNull(task, "task");
    long delayNanos = saturatedNanos(delay);
    long dueNanos = clock.nanoTime() + delayNanos; // the clock starts at 0: no overflow below ~292 years
    AtomicBoolean ran = new AtomicBoolean();
    Object[] handles = new Object[2]; // the real-time future and the clock registration, set below
    Runnable once = () -> {
      if (ran.compareAndSet(false, true)) {
        synchronized (handles) {
          if (handles[0] instanceof ScheduledFuture<?> f) {
            f.cancel(false);
          }
          if (handles[1] instanceof TimeSource.Registration r) {
            r.close();
          }
        }
        task.run();
      }
    };
    try {
      synchronized (handles) {
        handles[1] = clock.onAdvance(() -> {
          if (!ran.get() && clock.nanoTime() - dueNanos >= 0) {
            hand(once);
          }
        });
        handles[0] = executor.schedule(once, delayNanos, TimeUnit.NANOSECONDS);
      }
    } catch (RejectedExecutionException closed) {
      ran.set(true);
      ((TimeSource.Registration) handles[1]).close();
    }
  }

  /** Runs {@code task} on the scheduler's threads, not on the thread that moved the clock. */
  private void hand(Runnable task) {
    try {
      executor.execute(task);
    } catch (RejectedExecutionException closed) {
      // the fixture is closing: nothing waits for this task any more
    }
  }

  private static long saturatedNanos(Duration d) {
    if (d.isNegative()) {
      return 0;
    }
    try {
      return Math.min(d.toNanos(), Long.MAX_VALUE / 4);
    } catch (ArithmeticException tooLong) {
      return Long.MAX_VALUE / 4;
    }
  }

  @Override
  public void close() {
    executor.shutdownNow();
  }
}
