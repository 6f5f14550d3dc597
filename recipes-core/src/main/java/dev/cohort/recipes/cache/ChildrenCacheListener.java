package dev.cohort.recipes.cache;

/**
 * Told of every change a {@link ChildrenCache} sees, in the order it saw them, on the client's
 * listener executor: never on a backend thread, never under a lock. Changes that happen between two
 * reads are merged: a child that was updated twice may be reported once, with its latest state.
 */
@FunctionalInterface
public interface ChildrenCacheListener {

  /** What happened to a child. */
  enum Type {
    ADDED,
    UPDATED,
    REMOVED
  }

  /**
   * @param type what happened
   * @param child the child's new state; for REMOVED, its last known state
   */
  void childEvent(Type type, ChildData child);
}
