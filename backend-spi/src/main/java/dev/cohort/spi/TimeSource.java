package dev.cohort.spi;

/**
 * Where backends and clients read time, so that tests can substitute virtual time and protocol code
 * never reads the system clock directly.
 *
 * <p>{@link #nanoTime()} is monotonic and measures durations (session timeouts, backoff);
 * {@link #epochMillis()} is wall-clock time for stamping {@link Stat#ctime()} and {@link
 * Stat#mtime()}. Implementations are thread-safe.
 */
public interface TimeSource {

  /** Monotonic time in nanoseconds from an arbitrary origin; only differences mean anything. */
  long nanoTime();

  /** Milliseconds since the Unix epoch. */
  long epochMillis();

  /**
   * Runs {@code listener} after every jump of this clock: a virtual clock moved forward by a test.
   * Code that waits for a point in time on this clock registers here so that a jump wakes it; the
   * system clock only moves with real time and never calls the listener. Close the returned
   * registration to remove the listener; closing it twice is harmless.
   */
  default Registration onAdvance(Runnable listener) {
    java.util.Objects.requireNonNull(listener, "listener");
    return () -> { };
  }

  /** A listener's registration with {@link #onAdvance}. */
  @FunctionalInterface
  interface Registration extends AutoCloseable {
    /** Removes the listener. Idempotent. */
    @Override
    void close();
  }

  /** The system clocks. */
  static TimeSource system() {
    return SystemTimeSource.INSTANCE;
  }
}

/** The system clocks; the only place in Cohort's libraries that reads them. */
enum SystemTimeSource implements TimeSource {
  INSTANCE;

  @Override
  public long nanoTime() {
    return System.nanoTime();
  }

  @Override
  public long epochMillis() {
    return System.currentTimeMillis();
  }
}
