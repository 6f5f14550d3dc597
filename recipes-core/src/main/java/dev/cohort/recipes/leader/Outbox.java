package dev.cohort.recipes.leader;

import java.util.ArrayDeque;
import java.util.concurrent.Executor;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Listener calls a recipe decided under its lock, handed to the listener executor after the lock
 * is released, in the order they were decided, one thread at a time: so calls are never made under
 * the recipe's lock (a direct executor runs them on the flushing thread) and never reordered by two
 * threads flushing at once.
 */
final class Outbox {
  private static final Logger log = LoggerFactory.getLogger(Outbox.class);

  private final Executor executor;
  /** Guarded by itself, as is {@link #flushing}. */
  private final ArrayDeque<Runnable> calls = new ArrayDeque<>();
  private boolean flushing;

  Outbox(Executor executor) {
    this.executor = executor;
  }

  /** Queues a call; the caller may hold its recipe's lock. */
  void add(Runnable call) {
    synchronized (calls) {
      calls.add(call);
    }
  }

  /** Hands queued calls to the executor, in order. The caller must not hold its recipe's lock. */
  void flush() {
    synchronized (calls) {
      if (flushing) {
        return; // the thread flushing now (perhaps this one, from a listener) hands these on too
      }
      flushing = true;
    }
    while (true) {
      Runnable next;
      synchronized (calls) {
        next = calls.poll();
        if (next == null) {
          flushing = false;
          return;
        }
      }
      try {
        executor.execute(next);
      } catch (RuntimeException e) {
        log.warn("a listener failed", e);
      }
    }
  }
}
