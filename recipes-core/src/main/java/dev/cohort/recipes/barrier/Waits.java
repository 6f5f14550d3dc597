package dev.cohort.recipes.barrier;

import dev.cohort.recipes.AsyncOps;
import dev.cohort.recipes.Cohort;
import dev.cohort.recipes.Deadline;
import dev.cohort.spi.Stat;
import dev.cohort.spi.WatchEvent;
import dev.cohort.spi.Watcher;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;

/** Blocking helpers the barriers share: bounded waits on one watch, and awaiting futures. */
final class Waits {
  private Waits() {}

  /**
   * Waits until {@code path} exists ({@code wantExists}) or is gone, or {@code deadline} passes (on
   * the client's clock, virtual time included). Sets one watch at a time and removes it on give-up.
   * Returns whether the wanted state was reached.
   */
  static boolean awaitExists(Cohort client, String path, boolean wantExists, Deadline deadline)
      throws InterruptedException {
    return awaitExists(client, path, wantExists, deadline, () -> { });
  }

  /** {@link #awaitExists}, running {@code watching} each time a watch is set and the wait begins. */
  static boolean awaitExists(Cohort client, String path, boolean wantExists, Deadline deadline, Runnable watching)
      throws InterruptedException {
    AsyncOps ops = client.async();
    while (true) {
      CompletableFuture<WatchEvent> fired = new CompletableFuture<>();
      Watcher watcher = fired::complete;
      Stat stat = await(ops.exists(path, watcher));
      if ((stat != null) == wantExists) {
        ops.removeWatches(path, watcher);
        return true;
      }
      watching.run();
      boolean woken;
      try {
        woken = deadline.await(fired);
      } catch (InterruptedException e) {
        ops.removeWatches(path, watcher);
        throw e;
      }
      if (!woken) {
        ops.removeWatches(path, watcher);
        return false;
      }
    }
  }

  static <T> T await(CompletableFuture<T> future) throws InterruptedException {
    try {
      return future.get();
    } catch (ExecutionException e) {
      if (e.getCause() instanceof RuntimeException re) {
        throw re;
      }
      throw new IllegalStateException(e.getCause());
    }
  }
}
