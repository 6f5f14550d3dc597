package dev.cohort.recipes.barrier;

import dev.cohort.recipes.Cohort;
import dev.cohort.recipes.Deadline;
import dev.cohort.spi.CreateMode;
import dev.cohort.spi.NoNodeException;
import dev.cohort.spi.NodeExistsException;
import dev.cohort.spi.Paths;
import java.time.Duration;
import java.util.Objects;

/**
 * A barrier that holds processes until someone removes it: the barrier is up while its node exists.
 *
 * <p>Guarantees: {@link #waitUntilRemoved} returns true only once it has seen the node gone, and
 * false when its timeout passes; a waiter creates no node, and removes its watch when it gives up.
 * {@link #set} and {@link #remove} are idempotent. Thread-safe.
 */
public final class Barrier {
  private final Cohort client;
  private final String path;

  private Barrier(Cohort client, String path) {
    this.client = client;
    this.path = path;
  }

  /** The barrier at {@code path}. */
  public static Barrier of(Cohort client, String path) {
    Objects.requireNonNull(client, "client");
    Paths.validate(path);
    return new Barrier(client, path);
  }

  /** Puts the barrier up (creates its persistent node, with parents); a no-op if it is up. */
  public void set() throws InterruptedException {
    client.checkUsable();
    try {
      Waits.await(client.async().createWithParents(path, new byte[0], CreateMode.PERSISTENT));
    } catch (NodeExistsException e) {
      // already up
    }
  }

  /** Takes the barrier down, releasing every waiter; a no-op if it is down. */
  public void remove() throws InterruptedException {
    client.checkUsable();
    try {
      Waits.await(client.async().delete(path, -1));
    } catch (NoNodeException e) {
      // already down
    }
  }

  /** Whether the barrier is up now. */
  public boolean isSet() throws InterruptedException {
    client.checkUsable();
    return Waits.await(client.async().exists(path, null)) != null;
  }

  /**
   * Blocks until the barrier is down (returns at once if it is), at most {@code timeout}.
   *
   * @return true if the barrier is down, false if the timeout passed first
   */
  public boolean waitUntilRemoved(Duration timeout) throws InterruptedException {
    Objects.requireNonNull(timeout, "timeout");
    client.checkUsable();
    return Waits.awaitExists(client, path, false, Deadline.after(client, timeout));
  }
}
