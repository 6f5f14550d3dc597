package dev.cohort.inmemory;

import dev.cohort.spi.TimeSource;
import java.time.Duration;
import java.time.Instant;
import java.util.Objects;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Virtual time for tests: it stands still until {@link #advance(Duration)} moves it.
 *
 * <p>Guarantee: when {@code advance} returns, every {@link InMemoryBackend} built with this time
 * source has expired each disconnected session whose timeout passed, deleted the due container and
 * TTL nodes, and delivered the watch events this caused (unless a callback executor was configured,
 * in which case they are queued on it). A backend registers with its time source when built and
 * unregisters when closed, so close backends that share a long-lived time source. Thread-safe.
 */
public final class ManualTimeSource implements TimeSource {

  /** The wall-clock start of a time source made with the no-argument constructor: 2023-11-14T22:13:20Z. */
  public static final Instant DEFAULT_START = Instant.ofEpochMilli(1_700_000_000_000L);

  private final long startEpochMillis;
  private final AtomicLong elapsedNanos = new AtomicLong();
  private final CopyOnWriteArrayList<Runnable> onAdvance = new CopyOnWriteArrayList<>();

  /** Starts at {@link #DEFAULT_START}, so runs are reproducible. */
  public ManualTimeSource() {
    this(DEFAULT_START);
  }

  /** Starts at {@code start} on the wall clock. */
  public ManualTimeSource(Instant start) {
    this.startEpochMillis = Objects.requireNonNull(start, "start").toEpochMilli();
  }

  /**
   * Moves the clock forward by {@code duration}, then lets every backend on this time source act on
   * the new time before returning.
   *
   * @throws IllegalArgumentException if {@code duration} is negative
   */
  public void advance(Duration duration) {
    Objects.requireNonNull(duration, "duration");
    if (duration.isNegative()) {
      throw new IllegalArgumentException("time cannot go backwards: " + duration);
    }
    elapsedNanos.addAndGet(duration.toNanos());
    for (Runnable listener : onAdvance) {
      listener.run();
    }
  }

  /** Time elapsed since construction, in nanoseconds. */
  @Override
  public long nanoTime() {
    return elapsedNanos.get();
  }

  @Override
  public long epochMillis() {
    return startEpochMillis + elapsedNanos.get() / 1_000_000L;
  }

  @Override
  public Registration onAdvance(Runnable listener) {
    Runnable own = Objects.requireNonNull(listener, "listener")::run; // a fresh identity per registration
    onAdvance.add(own);
    return () -> onAdvance.remove(own);
  }

  void addListener(Runnable listener) {
    onAdvance.addIfAbsent(listener);
  }

  void removeListener(Runnable listener) {
    onAdvance.remove(listener);
  }

  @Override
  public String toString() {
    return "ManualTimeSource[" + Instant.ofEpochMilli(epochMillis()) + "]";
  }
}
