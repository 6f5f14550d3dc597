package dev.cohort.recipes.locks;

import dev.cohort.recipes.Cohort;
import dev.cohort.recipes.ConnectionState;
import dev.cohort.recipes.ConnectionStateListener;
import dev.cohort.spi.TimeSource;
import dev.cohort.spi.WatchEvent;
import dev.cohort.spi.Watcher;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * One blocked thread waiting for one event: the watch it set, or the loss of its session (after
 * which the watch can never fire). Each waiter is woken by its own watch only, so a release wakes
 * exactly the one thread whose predecessor went.
 */
final class Waiter implements Watcher, ConnectionStateListener {
  private final CountDownLatch fired = new CountDownLatch(1);
  /** Whether the watched node was deleted; written before the latch opens. */
  private volatile boolean deleted;
  /** Whether the watched node's data changed; written before the latch opens. */
  private volatile boolean dataChanged;

  @Override
  public void process(WatchEvent event) {
    if (event.type() == WatchEvent.Type.NODE_DELETED) {
      deleted = true;
    } else if (event.type() == WatchEvent.Type.NODE_DATA_CHANGED) {
      dataChanged = true;
    }
    fired.countDown();
  }

  /** Whether the watch fired because the watched node's data changed. */
  boolean sawDataChange() {
    return dataChanged;
  }

  /** Whether the watch fired because the watched node was deleted (not for a data change or loss). */
  boolean sawDeletion() {
    return deleted;
  }

  @Override
  public void stateChanged(Cohort client, ConnectionState newState) {
    if (newState == ConnectionState.LOST) {
      fired.countDown();
    }
  }

  /**
   * Waits until woken or until {@code deadlineNanos} on {@code clock}.
   *
   * @return true if woken, false if the deadline passed
   */
  boolean await(TimeSource clock, long deadlineNanos) throws InterruptedException {
    if (deadlineNanos == Long.MAX_VALUE) {
      fired.await();
      return true;
    }
    while (true) {
      long remaining = deadlineNanos - clock.nanoTime();
      if (remaining <= 0) {
        return fired.getCount() == 0;
      }
      if (fired.await(remaining, TimeUnit.NANOSECONDS)) {
        return true;
      }
    }
  }
}
