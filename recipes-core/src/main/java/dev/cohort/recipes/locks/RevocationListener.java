package dev.cohort.recipes.locks;

import dev.cohort.recipes.FencingToken;

/**
 * Told when another participant asks a {@link DistributedLock} holder to give the lock up (see
 * {@link DistributedLock#requestRevocation}). A request is only a request: the holder decides
 * whether and when to release, and nothing happens to the hold unless it does.
 *
 * <p>Called on the client's listener executor, never under a lock of the recipe, at most once per
 * hold (later requests to the same hold are not told again). A hold taken with {@link
 * DistributedLock#acquire()} belongs to its thread, so the listener should signal that thread to
 * release rather than release itself; a {@link LockHold} may be released right here.
 */
@FunctionalInterface
public interface RevocationListener {

  /**
   * Someone asked the hold with {@code token} of {@code lock} to release.
   *
   * @param lock the lock whose hold is asked for
   * @param token the fencing token of that hold
   */
  void revocationRequested(DistributedLock lock, FencingToken token);
}
