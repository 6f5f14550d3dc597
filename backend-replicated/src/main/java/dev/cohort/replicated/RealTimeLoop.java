package dev.cohort.replicated;

import dev.cohort.spi.TimeSource;
import java.util.ArrayDeque;
import java.util.PriorityQueue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.locks.LockSupport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The real-time {@link EventLoop}: one daemon thread that runs submitted tasks in order and timed
 * tasks when the injected {@link TimeSource} says they are due, parking in between. Other threads
 * only ever touch the submission queue, so the cluster itself needs no locks.
 */
final class RealTimeLoop implements EventLoop {
  private static final Logger LOG = LoggerFactory.getLogger(RealTimeLoop.class);

  private record Timed(long due, long seq, Runnable body) implements Comparable<Timed> {
    @Override
    public int compareTo(Timed o) {
      int c = Long.compare(due, o.due);
      return c != 0 ? c : Long.compare(seq, o.seq);
    }
  }

  private final TimeSource time;
  private final Thread thread;
  private final ConcurrentLinkedQueue<Runnable> incoming = new ConcurrentLinkedQueue<>();
  // Loop thread only:
  private final ArrayDeque<Runnable> ready = new ArrayDeque<>();
  private final PriorityQueue<Timed> timed = new PriorityQueue<>();
  private long seq;
  private volatile boolean running = true;

  RealTimeLoop(TimeSource time, String name) {
    this.time = time;
    this.thread = new Thread(this::run, name);
    thread.setDaemon(true);
  }

  void start() {
    thread.start();
  }

  /** Stops the thread after the task it is running; pending tasks are dropped. */
  void stop() {
    running = false;
    LockSupport.unpark(thread);
  }

  @Override
  public long nowNanos() {
    return time.nanoTime();
  }

  @Override
  public void execute(Runnable task) {
    if (Thread.currentThread() == thread) {
      ready.add(task);
    } else {
      incoming.add(task);
      LockSupport.unpark(thread);
    }
  }

  @Override
  public void schedule(long delayNanos, Runnable task) {
    if (Thread.currentThread() != thread) {
      execute(() -> schedule(delayNanos, task));
      return;
    }
    timed.add(new Timed(time.nanoTime() + Math.max(0, delayNanos), seq++, task));
  }

  @Override
  public boolean inLoop() {
    return Thread.currentThread() == thread;
  }

  private void run() {
    while (running) {
      Runnable r;
      while ((r = incoming.poll()) != null) {
        ready.add(r);
      }
      long now = time.nanoTime();
      while (!timed.isEmpty() && timed.peek().due <= now) {
        ready.add(timed.poll().body);
      }
      if (ready.isEmpty()) {
        long wait = timed.isEmpty() ? 1_000_000_000L : timed.peek().due - now;
        if (incoming.isEmpty() && wait > 0) {
          LockSupport.parkNanos(this, wait);
        }
        continue;
      }
      int batch = ready.size();
      for (int i = 0; i < batch && running; i++) {
        Runnable task = ready.poll();
        try {
          task.run();
        } catch (RuntimeException | Error e) {
          LOG.error("replicated backend event loop task failed", e);
        }
      }
    }
  }
}
