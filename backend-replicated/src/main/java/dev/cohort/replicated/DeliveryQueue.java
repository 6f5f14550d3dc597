package dev.cohort.replicated;

import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One session's event thread: completions, watch events and state changes run one at a time, in
 * the order the event loop enqueued them, on the callback executor — never on the event loop
 * itself in real time, so a slow callback cannot stall the cluster. With a null executor (the
 * simulation) tasks run at once on the enqueuing thread, which keeps the run single-threaded.
 */
final class DeliveryQueue {
  private static final Logger LOG = LoggerFactory.getLogger(DeliveryQueue.class);

  private final ConcurrentLinkedQueue<Runnable> tasks = new ConcurrentLinkedQueue<>();
  /** True while one thread owns the drain loop; what makes delivery serial. */
  private final AtomicBoolean draining = new AtomicBoolean();
  private final Executor executor;

  DeliveryQueue(Executor executor) {
    this.executor = executor;
  }

  void enqueue(Runnable task) {
    tasks.add(task);
    if (!draining.compareAndSet(false, true)) {
      return;
    }
    if (executor == null) {
      drain();
      return;
    }
    try {
      executor.execute(this::drain);
    } catch (RejectedExecutionException e) {
      draining.set(false);
      LOG.warn("callback executor rejected a delivery; {} tasks stay queued", tasks.size(), e);
    }
  }

  private void drain() {
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
      // a task added after the last poll but before the flag cleared would be stranded: recheck
    } while (!tasks.isEmpty() && draining.compareAndSet(false, true));
  }
}
