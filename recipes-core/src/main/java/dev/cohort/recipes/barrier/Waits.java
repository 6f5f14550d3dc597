package dev.cohort.recipes.barrier;

import dev.cohort.recipes.AsyncOps;
import dev.cohort.recipes.Cohort;
import dev.cohort.recipes.ConnectionStateListener;
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

  /**
   * {@link #awaitExists}, running {@code watching} each time a watch is set and the wait begins.
   *
   * <p>A watch belongs to its session: when the session expires the watch is gone and would never
   * fire. So the wait also wakes when the client moves to a new session, and looks again on it.
   */
  static boolean awaitExists(Cohort client, String path, boolean wantExists, Deadline deadline, Runnable watching)
      throws InterruptedException {
    AsyncOps ops = client.async();
    while (true) {
      CompletableFuture<WatchEvent> fired = new CompletableFuture<>();
      Watcher watcher = fired::complete;
      long session = client.sessionId();
      ConnectionStateListener newSession = (c, state) -> {
        if (state.isConnected() && c.sessionId() != session) {
          fired.complete(null);
        }
      };
      client.addConnectionStateListener(newSession);
      try {
        Stat stat = await(ops.exists(path, watcher));
        if ((stat != null) == wantExists) {
          ops.removeWatches(path, watcher);
          return true;
        }
        if (client.sessionId() != session) {
          fired.complete(null); // moved to a new session while the watch was being set
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
      } finally {
        client.removeConnectionStateListener(newSession);
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
