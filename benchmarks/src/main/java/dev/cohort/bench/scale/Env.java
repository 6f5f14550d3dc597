package dev.cohort.bench.scale;

import dev.cohort.bench.recipes.CountingBackend;
import dev.cohort.recipes.Cohort;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * What a scenario gets to set up one point: clients on the point's fresh, counting backend, and a
 * pool for its own background work. Every client shares one listener pool, one work pool and one
 * retry scheduler, so a point with a thousand clients does not start thousands of threads. The
 * harness closes every client (newest first) and the pools after the point.
 */
public final class Env implements AutoCloseable {
  private final Backend kind;
  private final CountingBackend backend;
  private final List<Cohort> clients = new ArrayList<>();
  private final ExecutorService listenerPool = Executors.newCachedThreadPool(daemon("scale-listener"));
  private final ExecutorService workPool = Executors.newCachedThreadPool(daemon("scale-work"));
  private final ScheduledExecutorService retries = Executors.newSingleThreadScheduledExecutor(daemon("scale-retry"));
  private final ExecutorService scenarioPool = Executors.newFixedThreadPool(4, daemon("scale-scenario"));

  Env(Backend kind, CountingBackend backend) {
    this.kind = kind;
    this.backend = backend;
  }

  /** Which backend this point runs on. */
  public Backend kind() {
    return kind;
  }

  /** Requests sent through the backend so far, by every client of this point. */
  public long requests() {
    return backend.requests();
  }

  /** A new, started client with its own session on this point's backend. */
  public Cohort client() throws InterruptedException {
    Cohort client = Cohort.builder(backend)
        .sessionTimeout(Duration.ofSeconds(30))
        .connectTimeout(Duration.ofSeconds(30))
        .listenerExecutor(listenerPool)
        .workExecutor(workPool)
        .scheduler((delay, task) -> retries.schedule(task, delay.toNanos(), TimeUnit.NANOSECONDS))
        .build();
    synchronized (clients) {
      clients.add(client);
    }
    client.start();
    return client;
  }

  /** {@code n} new started clients. */
  public List<Cohort> clients(int n) throws InterruptedException {
    List<Cohort> made = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      made.add(client());
    }
    return made;
  }

  /** A small pool (four threads) for a scenario's own blocking steps, such as a release in a chain. */
  public ExecutorService pool() {
    return scenarioPool;
  }

  @Override
  public void close() {
    scenarioPool.shutdownNow();
    List<Cohort> toClose;
    synchronized (clients) {
      toClose = new ArrayList<>(clients);
    }
    for (int i = toClose.size() - 1; i >= 0; i--) {
      try {
        toClose.get(i).close();
      } catch (RuntimeException e) {
        // closing after a failed or timed-out point: the backend goes next anyway
      }
    }
    retries.shutdownNow();
    workPool.shutdownNow();
    listenerPool.shutdownNow();
  }

  private static ThreadFactory daemon(String name) {
    AtomicInteger n = new AtomicInteger();
    return r -> {
      Thread t = new Thread(r, name + "-" + n.incrementAndGet());
      t.setDaemon(true);
      return t;
    };
  }
}
