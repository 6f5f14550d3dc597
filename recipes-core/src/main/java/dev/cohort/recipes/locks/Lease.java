package dev.cohort.recipes.locks;

import dev.cohort.recipes.Cohort;
import dev.cohort.recipes.FencingToken;
import dev.cohort.recipes.OwnedNode;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * One lease of a {@link Semaphore}, valid while its session lives and until released. Release is
 * idempotent and deletes only this lease's own node. Thread-safe.
 */
public final class Lease implements AutoCloseable {
  private final Cohort client;
  private final OwnedNode node;
  private final Runnable onRelease;
  private final AtomicBoolean released = new AtomicBoolean();

  Lease(Cohort client, OwnedNode node, Runnable onRelease) {
    this.client = client;
    this.node = node;
    this.onRelease = onRelease;
  }

  /** The fencing token of this lease. */
  public FencingToken fencingToken() {
    return node.fencingToken();
  }

  /**
   * The path of this lease's node (relative to the client's namespace): what a test needs to
   * inject a fault on exactly this lease.
   */
  public String nodePath() {
    return node.path();
  }

  /**
   * A check for a {@link dev.cohort.recipes.AsyncOps#multi multi} that passes only while this lease
   * is held: its node exists (see {@link OwnedNode#ownershipCheck()}). After a release or the end of
   * the session the multi fails, with nothing written.
   */
  public dev.cohort.spi.Op ownershipCheck() {
    return node.ownershipCheck();
  }

  /** Whether the lease is unreleased and its session is still the client's live session. */
  public boolean isValid() {
    return !released.get() && client.isLiveSession(node.sessionId());
  }

  /** Returns the lease; a no-op after the first call. @return true if this call released it */
  public boolean release() {
    if (!released.compareAndSet(false, true)) {
      return false;
    }
    onRelease.run();
    client.async().deleteIfOwned(node);
    return true;
  }

  /** Same as {@link #release()}. */
  @Override
  public void close() {
    release();
  }

  OwnedNode node() {
    return node;
  }

  @Override
  public String toString() {
    return "Lease[" + node.path() + ", token " + node.czxid() + "]";
  }
}
