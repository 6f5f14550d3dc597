package dev.cohort.recipes;

import dev.cohort.spi.TimeSource;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.locks.LockSupport;

/**
 * The moment a wait gives up, on a client's {@link TimeSource}, or never: the one deadline type
 * every recipe wait uses, so that a test on virtual time drives recipe timeouts exactly as it
 * drives session expiry.
 *
 * <p>Blocking waits ({@link #await}) park the caller and wake when the awaited signal completes,
 * when real time reaches the deadline, or when a virtual clock jumps past it ({@link
 * TimeSource#onAdvance}). Asynchronous waits ({@link #expiry()}) complete a future at the deadline,
 * timed by the client's {@link DelayScheduler} and woken by the same clock jumps. On the system
 * clock both are ordinary timed waits.
 *
 * <p>Immutable and thread-safe.
 */
public final class Deadline {
  private final TimeSource clock;
  private final DelayScheduler scheduler;
  /** The deadline on {@link #clock}; meaningless when {@link #never}. */
  private final long atNanos;
  private final boolean never;

  private Deadline(TimeSource clock, DelayScheduler scheduler, long atNanos, boolean never) {
    this.clock = clock;
    this.scheduler = scheduler;
    this.atNanos = atNanos;
    this.never = never;
  }

  /**
   * The deadline {@code timeout} from now on {@code client}'s clock. A zero or negative timeout has
   * already passed: a wait with it checks once and gives up.
   */
  public static Deadline after(Cohort client, Duration timeout) {
    Objects.requireNonNull(client, "client");
    Objects.requireNonNull(timeout, "timeout");
    return after(client.timeSource(), client.scheduler(), timeout);
  }

  /** A deadline that never passes, on {@code client}'s clock. */
  public static Deadline never(Cohort client) {
    Objects.requireNonNull(client, "client");
    return new Deadline(client.timeSource(), client.scheduler(), 0, true);
  }

  static Deadline after(TimeSource clock, DelayScheduler scheduler, Duration timeout) {
    long now = clock.nanoTime();
    long nanos = timeout.isNegative() ? 0 : saturatedNanos(timeout);
    long at = now + nanos;
    if (nanos == Long.MAX_VALUE || at < now) { // beyond any clock's range: as good as never
      return new Deadline(clock, scheduler, 0, true);
    }
    return new Deadline(clock, scheduler, at, false);
  }

  private static long saturatedNanos(Duration d) {
    try {
      return d.toNanos();
    } catch (ArithmeticException tooLong) {
      return Long.MAX_VALUE;
    }
  }

  /** Whether this deadline never passes. */
  public boolean isNever() {
    return never;
  }

  /** Whether the deadline has passed. */
  public boolean hasPassed() {
    return !never && clock.nanoTime() - atNanos >= 0;
  }

  /** Nanoseconds left, at least 0; {@link Long#MAX_VALUE} for a deadline that never passes. */
  public long remainingNanos() {
    return never ? Long.MAX_VALUE : Math.max(0, atNanos - clock.nanoTime());
  }

  /** Time left, at least zero; a very long duration for a deadline that never passes. */
  public Duration remaining() {
    return Duration.ofNanos(remainingNanos());
  }

  /**
   * Blocks until {@code signal} completes (normally or not) or this deadline passes, whichever
   * comes first.
   *
   * @return true if {@code signal} is done, false if the deadline passed first
   * @throws InterruptedException if the thread is interrupted while waiting (the signal is left as
   *     it is: cleaning up is the caller's)
   */
  public boolean await(CompletableFuture<?> signal) throws InterruptedException {
    Objects.requireNonNull(signal, "signal");
    if (signal.isDone()) {
      return true;
    }
    Thread waiter = Thread.currentThread();
    Runnable wake = () -> LockSupport.unpark(waiter);
    signal.whenComplete((v, e) -> wake.run());
    try (TimeSource.Registration jumps = never ? null : clock.onAdvance(wake)) {
      while (true) {
        if (signal.isDone()) {
          return true;
        }
        if (Thread.interrupted()) {
          throw new InterruptedException();
        }
        long remaining = remainingNanos();
        if (remaining <= 0) {
          return signal.isDone();
        }
        if (never) {
          LockSupport.park(this);
        } else {
          LockSupport.parkNanos(this, remaining);
        }
      }
    }
  }

  /**
   * A future that completes when this deadline passes (never, for a deadline that never passes).
   * Complete or cancel it to stop watching the clock. Real time is waited on the client's
   * scheduler; a virtual clock's jumps are seen at once.
   */
  public CompletableFuture<Void> expiry() {
    CompletableFuture<Void> passed = new CompletableFuture<>();
    if (never) {
      return passed;
    }
    if (hasPassed()) {
      passed.complete(null);
      return passed;
    }
    TimeSource.Registration jumps = clock.onAdvance(() -> {
      if (hasPassed()) {
        passed.complete(null);
      }
    });
    passed.whenComplete((v, e) -> jumps.close());
    arm(passed, clock.nanoTime());
    return passed;
  }

  /**
   * Schedules a check at the remaining time. A check that finds the deadline not yet passed re-arms
   * only if the scheduler kept the delay it was given (the clock then lags the scheduler's): a
   * scheduler that runs tasks early, as tests' schedulers that ignore delays do, would otherwise
   * spin. On a virtual clock the clock's jumps complete the future.
   */
  private void arm(CompletableFuture<Void> passed, long armedAt) {
    long delay = remainingNanos();
    scheduler.schedule(Duration.ofNanos(delay), () -> {
      if (passed.isDone()) {
        return;
      }
      long now = clock.nanoTime();
      if (hasPassed()) {
        passed.complete(null);
      } else if (now - armedAt >= delay) {
        arm(passed, now);
      }
    });
  }

  @Override
  public String toString() {
    return never ? "Deadline[never]" : "Deadline[" + remaining() + " left]";
  }
}
