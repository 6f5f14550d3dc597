package dev.cohort.recipes.locks;

import dev.cohort.recipes.Cohort;
import dev.cohort.recipes.FencingToken;
import dev.cohort.recipes.OwnedNode;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * One hold of a {@link DistributedLock} taken with {@link DistributedLock#acquireAsync()}: valid
 * while its session lives and until released. Unlike a hold taken with {@link
 * DistributedLock#acquire()}, it belongs to this object and not to a thread: any thread may release
 * it, and it is not reentrant (each asynchronous acquire is a contender of its own).
 *
 * <p>Release is idempotent and deletes only this hold's own node. Thread-safe.
 */
public final class LockHold implements AutoCloseable {
  private final Cohort client;
  private final String lockPath;
  private final OwnedNode node;
  /** Deletes the node (marked or not) and tells the lock; run once, by the first release. */
  private final Runnable onRelease;
  private final AtomicBoolean released = new AtomicBoolean();

  LockHold(Cohort client, String lockPath, OwnedNode node, Runnable onRelease) {
    this.client = client;
    this.lockPath = lockPath;
    this.node = node;
    this.onRelease = onRelease;
  }

  /** The fencing token of this hold's ownership term. */
  public FencingToken fencingToken() {
    return node.fencingToken();
  }

  /**
   * The path of this hold's node (relative to the client's namespace): what a test needs to inject
   * a fault on exactly this hold, and what {@link DistributedLock#requestRevocation} names.
   */
  public String nodePath() {
    return node.path();
  }

  /** The path of the lock this hold is of. */
  public String lockPath() {
    return lockPath;
  }

  /** Whether the hold is unreleased and its session is still the client's live session. */
  public boolean isValid() {
    return !released.get() && client.isLiveSession(node.sessionId());
  }

  /**
   * Releases the hold, from any thread: deletes its node in the background (nothing is sent when
   * its session already ended). A no-op after the first call.
   *
   * @return true if this call released it
   */
  public boolean release() {
    if (!released.compareAndSet(false, true)) {
      return false;
    }
    onRelease.run();
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
    return "LockHold[" + node.path() + ", token " + node.czxid() + "]";
  }
}
