package dev.cohort.replicated;

import java.util.PriorityQueue;

/**
 * An {@link EventLoop} on virtual time, run by the caller's thread: nothing happens until {@link
 * #runFor} or {@link #runUntilIdle} is called, and then tasks run strictly in (time, submission)
 * order. With every random choice drawn from one seeded RNG, a run replays exactly.
 */
final class SimLoop implements EventLoop {
  private record Task(long due, long seq, Runnable body) implements Comparable<Task> {
    @Override
    public int compareTo(Task o) {
      int c = Long.compare(due, o.due);
      return c != 0 ? c : Long.compare(seq, o.seq);
    }
  }

  private final PriorityQueue<Task> queue = new PriorityQueue<>();
  private long now;
  private long seq;
  private long executed;
  private Thread owner;

  @Override
  public long nowNanos() {
    return now;
  }

  @Override
  public void execute(Runnable task) {
    queue.add(new Task(now, seq++, task));
  }

  @Override
  public void schedule(long delayNanos, Runnable task) {
    queue.add(new Task(now + Math.max(0, delayNanos), seq++, task));
  }

  @Override
  public boolean inLoop() {
    return owner == null || owner == Thread.currentThread();
  }

  /** Runs every task due within the next {@code nanos}, then leaves the clock at the end of it. */
  void runFor(long nanos) {
    long until = now + nanos;
    owner = Thread.currentThread();
    while (!queue.isEmpty() && queue.peek().due <= until) {
      Task t = queue.poll();
      now = t.due;
      executed++;
      t.body.run();
    }
    now = until;
  }

  /** Runs until {@code condition} holds or {@code maxNanos} of virtual time pass; returns whether it held. */
  boolean runUntil(java.util.function.BooleanSupplier condition, long maxNanos) {
    long until = now + maxNanos;
    owner = Thread.currentThread();
    while (!condition.getAsBoolean()) {
      if (queue.isEmpty() || queue.peek().due > until) {
        now = until;
        return condition.getAsBoolean();
      }
      Task t = queue.poll();
      now = t.due;
      executed++;
      t.body.run();
    }
    return true;
  }

  /** How many tasks have run so far (part of a run's fingerprint). */
  long executed() {
    return executed;
  }
}
