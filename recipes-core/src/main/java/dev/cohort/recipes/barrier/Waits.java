package dev.cohort.recipes.barrier;

import dev.cohort.recipes.AsyncOps;
import dev.cohort.recipes.Cohort;
import dev.cohort.spi.Stat;
import dev.cohort.spi.WatchEvent;
import dev.cohort.spi.Watcher;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/** Blocking helpers the barriers share: bounded waits on one watch, and awaiting futures. */
final class Waits {
  private Waits() {}

  /**
   * Waits until {@code path} exists ({@code wantExists}) or is gone, or the deadline passes. Sets one
   * watch at a time and removes it on give-up. Returns whether the wanted state was reached.
   */
  static boolean awaitExists(Cohort client, String path, boolean wantExists, long deadlineNanos)
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
      long remaining = deadlineNanos - client.timeSource().nanoTime();
      if (remaining <= 0) {
        ops.removeWatches(path, watcher);
        return false;
      }
      try {
        fired.get(remaining, TimeUnit.NANOSECONDS);
      } catch (TimeoutException e) {
        ops.removeWatches(path, watcher);
        return false;
      } catch (ExecutionException e) {
        throw new IllegalStateException("watch futures never fail", e);
      } catch (InterruptedException e) {
        ops.removeWatches(path, watcher);
        throw e;
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
