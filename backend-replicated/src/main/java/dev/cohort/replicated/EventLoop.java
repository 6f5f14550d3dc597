package dev.cohort.replicated;

/**
 * The single thread every replica, the simulated network and the service side of every session run
 * on. Whoever owns the loop decides what time it is: {@link SimLoop} uses virtual time and runs only
 * when told to; {@link RealTimeLoop} runs on its own thread against a {@link
 * dev.cohort.spi.TimeSource}. Because all cluster state is confined to this thread, none of it needs
 * locks, and the same code runs deterministically under simulation.
 */
interface EventLoop {

  /** The loop's current time in nanoseconds (virtual or real). */
  long nowNanos();

  /** Runs {@code task} on the loop as soon as possible, after tasks already due. Thread-safe. */
  void execute(Runnable task);

  /** Runs {@code task} on the loop after {@code delayNanos}. Call from the loop thread only. */
  void schedule(long delayNanos, Runnable task);

  /** Whether the caller runs on the loop's thread. */
  boolean inLoop();
}
