package dev.cohort.recipes.locks;

import dev.cohort.recipes.FencingToken;
import java.time.Duration;
import java.util.Optional;

/**
 * A lock shared by every process that names the same path, held per thread and reentrant.
 *
 * <p>Every acquisition returns the {@link FencingToken} of the ownership term: pass it with each
 * write to the protected resource (see {@link dev.cohort.recipes.FencedResource}). A reentrant
 * acquisition returns the token of the term already held.
 *
 * <p>Every blocking method is interruptible, and a wait that ends without the lock (timeout,
 * interrupt, failure) removes the waiter's node before it returns or throws.
 */
public interface InterProcessLock {

  /** The lock's path, relative to the client's namespace. */
  String path();

  /** Waits, interruptibly and without limit, until this thread holds the lock. */
  FencingToken acquire() throws InterruptedException;

  /**
   * Waits at most {@code timeout} for the lock.
   *
   * @return the token, or empty if the time passed first (and then this thread holds nothing new)
   */
  Optional<FencingToken> tryAcquire(Duration timeout) throws InterruptedException;

  /**
   * Takes the lock only if nobody holds it or waits before us now: queues, looks once, and leaves
   * the line at once (deleting its node) if it would have to wait. Waits only for the replies.
   *
   * @return the token, or empty if the lock was taken
   */
  Optional<FencingToken> tryLock() throws InterruptedException;

  /**
   * Releases one hold of the calling thread; the last release deletes the lock's node, in the
   * background if the connection is down. Never deletes a node this incarnation did not create. A
   * hold that ended with its session is released quietly (nothing is sent).
   *
   * @return true if this call ended the thread's last hold (of this side, for a read-write lock)
   * @throws IllegalMonitorStateException if the calling thread holds nothing (as {@link
   *     java.util.concurrent.locks.ReentrantLock#unlock()}); nothing changes then
   */
  boolean release();

  /**
   * The path (relative to the client's namespace) of the node behind the calling thread's hold, if
   * it holds: what a test needs to inject a fault on exactly this hold. Cohort's locks all answer
   * it; the default, empty, keeps implementations written before it compiling.
   */
  default Optional<String> ownedNodePath() {
    return Optional.empty();
  }

  /** Whether the calling thread holds the lock (as far as this client knows). */
  boolean isHeldByCurrentThread();
}
