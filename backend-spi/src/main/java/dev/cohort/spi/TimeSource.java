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
