package dev.cohort.recipes;

/**
 * Told when something a recipe owns on behalf of the application (a lock, a lease) may have been
 * lost, is lost, or was confirmed again after a reconnect. Runs on the client's listener executor,
 * never on a backend thread and never under a recipe's lock.
 */
@FunctionalInterface
public interface OwnershipListener {

  /** What happened to an ownership. */
  enum Change {
    /** The connection was lost: ownership may be gone; stop acting on it until told more. */
    MAY_BE_LOST,
    /** After a reconnect the owning node was found, owned by the same live session: still held. */
    CONFIRMED,
    /** The owning session expired or the node is gone: ownership ended. Release is still safe. */
    LOST
  }

  /**
   * @param change what happened
   * @param token the fencing token of the ownership term concerned
   */
  void ownershipChanged(Change change, FencingToken token);
}
