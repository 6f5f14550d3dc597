package dev.cohort.recipes;

import java.util.ArrayDeque;
import java.util.Queue;
import java.util.concurrent.Executor;
import java.util.concurrent.locks.ReentrantLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs tasks one at a time, in submission order, on a delegate executor: listeners of one client
 * see transitions in order even when the delegate is a pool. A failing task is logged and does not
 * stop the ones after it.
 */
final class SerialExecutor implements Executor {
  private static final Logger log = LoggerFactory.getLogger(SerialExecutor.class);

  private final Executor delegate;
  private final ReentrantLock lock = new ReentrantLock();
  /** Guarded by lock. */
  private final Queue<Runnable> tasks = new ArrayDeque<>();
  /** Guarded by lock: whether a drain is scheduled or running on the delegate. */
  private boolean draining;

  SerialExecutor(Executor delegate) {
    this.delegate = delegate;
  }

  @Override
  public void execute(Runnable task) {
    lock.lock();
    try {
      tasks.add(task);
      if (draining) {
        return;
      }
      draining = true;
    } finally {
      lock.unlock();
    }
    try {
      delegate.execute(this::drain);
    } catch (RuntimeException e) {
      lock.lock();
      try {
        draining = false;
      } finally {
        lock.unlock();
      }
      log.warn("listener executor refused a task", e);
    }
  }

  private void drain() {
    while (true) {
      Runnable next;
      lock.lock();
      try {
        next = tasks.poll();
        if (next == null) {
          draining = false;
          return;
        }
      } finally {
        lock.unlock();
      }
      try {
        next.run();
      } catch (RuntimeException e) {
        log.warn("a listener failed", e);
      }
    }
  }
}
