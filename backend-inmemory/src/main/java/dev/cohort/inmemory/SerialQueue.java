package dev.cohort.inmemory;

import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One session's delivery queue: completions, watch events and state changes run one at a time, in
 * the order they were enqueued.
 *
 * <p>Tasks are enqueued while the backend lock is held (that order is the ordering guarantee) and
 * run only after it is released, by {@link #drain()}. Without an executor the queue trampolines: the
 * thread that calls {@code drain()} runs the tasks itself unless another thread is already draining,
 * so a synchronous {@code getData(...).join()} completes on the caller's thread with no handoff, and
 * an operation issued from inside a callback only enqueues (the outer drain loop runs it next). With
 * an executor, draining is one task on it at a time.
 */
final class SerialQueue {
  private static final Logger LOG = LoggerFactory.getLogger(SerialQueue.class);

  private final ConcurrentLinkedQueue<Runnable> tasks = new ConcurrentLinkedQueue<>();
  /** True while one thread owns the drain loop; the only thing that makes delivery serial. */
  private final AtomicBoolean draining = new AtomicBoolean();
  private final Executor executor;
  private final Runnable loop = this::runLoop;

  /** @param executor where to drain, or null to drain on the calling thread */
  SerialQueue(Executor executor) {
    this.executor = executor;
  }

  void enqueue(Runnable task) {
    tasks.add(task);
  }

  /** Runs the queued tasks unless someone else is; call with no lock held. */
  void drain() {
    if (tasks.isEmpty() || !draining.compareAndSet(false, true)) {
      return;
    }
    if (executor == null) {
      runLoop();
      return;
    }
    try {
      executor.execute(loop);
    } catch (RejectedExecutionException e) {
      draining.set(false);
      LOG.warn("callback executor rejected a delivery; {} tasks stay queued", tasks.size(), e);
    }
  }

  private void runLoop() {
    do {
      Runnable task;
      while ((task = tasks.poll()) != null) {
        try {
          task.run();
        } catch (RuntimeException | Error e) {
          LOG.warn("a session callback threw; delivery continues", e);
        }
      }
      draining.set(false);
      // A task enqueued after the last poll but before the flag cleared would be stranded: recheck.
    } while (!tasks.isEmpty() && draining.compareAndSet(false, true));
  }
}
