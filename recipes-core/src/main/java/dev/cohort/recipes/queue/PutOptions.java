package dev.cohort.recipes.queue;

import java.time.Duration;
import java.time.Instant;
import java.util.Objects;

/**
 * How {@link WorkQueue#put(byte[], PutOptions)} adds a job: when it may be taken at the earliest
 * and its priority. Immutable; each {@code with} method returns a new value and checks its argument
 * at once.
 *
 * <pre>{@code
 * queue.put(payload, PutOptions.defaults().withDelay(Duration.ofMinutes(5)).withPriority(3));
 * }</pre>
 */
public final class PutOptions {
  /** The lowest priority, that of a plain {@link WorkQueue#put(byte[])}. */
  public static final int MIN_PRIORITY = 0;
  /** The highest priority. */
  public static final int MAX_PRIORITY = 9;

  private static final PutOptions DEFAULTS = new PutOptions(null, null, MIN_PRIORITY);

  /** Exactly one of notBefore and delay is set, or neither. */
  private final Instant notBefore;
  private final Duration delay;
  private final int priority;

  private PutOptions(Instant notBefore, Duration delay, int priority) {
    this.notBefore = notBefore;
    this.delay = delay;
    this.priority = priority;
  }

  /** No delay, priority {@link #MIN_PRIORITY}: a put with these is a plain put. */
  public static PutOptions defaults() {
    return DEFAULTS;
  }

  /**
   * The job is not taken before {@code notBefore}, on the client's clock (its {@link
   * dev.cohort.spi.TimeSource#epochMillis()}); a time already past makes it due at once. Replaces
   * any delay given before.
   *
   * @throws IllegalArgumentException if {@code notBefore} is before the epoch or after what a due
   *     time can carry (late in the year 2286)
   */
  public PutOptions withNotBefore(Instant notBefore) {
    Objects.requireNonNull(notBefore, "notBefore");
    long millis;
    try {
      millis = notBefore.toEpochMilli();
    } catch (ArithmeticException e) {
      throw new IllegalArgumentException("notBefore out of range: " + notBefore, e);
    }
    if (millis < 0 || millis > QueueDecisions.MAX_DUE_MILLIS) {
      throw new IllegalArgumentException("notBefore must be in " + Instant.EPOCH + ".."
          + Instant.ofEpochMilli(QueueDecisions.MAX_DUE_MILLIS) + ": " + notBefore);
    }
    return new PutOptions(notBefore, null, priority);
  }

  /**
   * The job is not taken before {@code delay} has passed, from the put, on the client's clock.
   * Replaces any not-before time given before.
   *
   * @throws IllegalArgumentException if {@code delay} is negative
   */
  public PutOptions withDelay(Duration delay) {
    Objects.requireNonNull(delay, "delay");
    if (delay.isNegative()) {
      throw new IllegalArgumentException("delay must not be negative: " + delay);
    }
    return new PutOptions(null, delay, priority);
  }

  /**
   * The job's priority: among the jobs due, a take claims those of higher priority first.
   *
   * @throws IllegalArgumentException if {@code priority} is outside {@link #MIN_PRIORITY}..{@link
   *     #MAX_PRIORITY}
   */
  public PutOptions withPriority(int priority) {
    if (priority < MIN_PRIORITY || priority > MAX_PRIORITY) {
      throw new IllegalArgumentException(
          "priority must be in " + MIN_PRIORITY + ".." + MAX_PRIORITY + ": " + priority);
    }
    return new PutOptions(notBefore, delay, priority);
  }

  /** The priority. */
  public int priority() {
    return priority;
  }

  /** Whether these options make the put a plain one: no time and the lowest priority. */
  boolean isPlain() {
    return notBefore == null && delay == null && priority == MIN_PRIORITY;
  }

  /**
   * The due time in epoch millis for a put made at {@code nowMillis}.
   *
   * @throws IllegalArgumentException if the delay takes the due time beyond what a name carries
   */
  long dueMillis(long nowMillis) {
    if (notBefore != null) {
      return notBefore.toEpochMilli();
    }
    if (delay == null) {
      return nowMillis;
    }
    long due;
    try {
      due = Math.addExact(nowMillis, delay.toMillis());
    } catch (ArithmeticException e) {
      throw new IllegalArgumentException("delay too long: " + delay, e);
    }
    if (due > QueueDecisions.MAX_DUE_MILLIS) {
      throw new IllegalArgumentException("delay too long: " + delay + " (due after "
          + Instant.ofEpochMilli(QueueDecisions.MAX_DUE_MILLIS) + ")");
    }
    return due;
  }

  @Override
  public String toString() {
    return "PutOptions[" + (notBefore != null ? "notBefore=" + notBefore + ", " : "")
        + (delay != null ? "delay=" + delay + ", " : "") + "priority=" + priority + "]";
  }
}
