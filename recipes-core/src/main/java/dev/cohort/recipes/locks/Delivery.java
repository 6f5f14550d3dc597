package dev.cohort.recipes.locks;

import dev.cohort.recipes.Cohort;

/** Where the locks' asynchronous results are completed. */
final class Delivery {
  private Delivery() {}

  /**
   * Runs {@code task} (which completes a future the application holds) on the client's listener
   * executor; on a closed client at once on this thread, since a closed client's own listener pool
   * refuses tasks and the future would never complete.
   */
  static void complete(Cohort client, Runnable task) {
    if (client.isClosed()) {
      task.run();
    } else {
      client.listenerExecutor().execute(task);
    }
  }
}
