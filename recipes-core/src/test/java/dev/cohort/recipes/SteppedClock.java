package dev.cohort.recipes;

import dev.cohort.spi.TimeSource;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A client-side clock that moves only when a test steps it, for recipe logic timed on the client's
 * {@link TimeSource} on any backend (the service keeps its own time). Thread-safe.
 */
public final class SteppedClock implements TimeSource {
  private final AtomicLong nanos = new AtomicLong(1_000_000_000L);
  private final List<Runnable> listeners = new CopyOnWriteArrayList<>();

  /** Moves the clock forward by {@code step} and wakes everything waiting on it. */
  public void step(Duration step) {
    nanos.addAndGet(step.toNanos());
    listeners.forEach(Runnable::run);
  }

  @Override
  public long nanoTime() {
    return nanos.get();
  }

  @Override
  public long epochMillis() {
    return 1_700_000_000_000L + nanos.get() / 1_000_000L;
  }

  @Override
  public Registration onAdvance(Runnable listener) {
    listeners.add(listener);
    return () -> listeners.remove(listener);
  }
}
