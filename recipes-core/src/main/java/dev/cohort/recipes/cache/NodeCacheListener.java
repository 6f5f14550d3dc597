package dev.cohort.recipes.cache;

import java.util.Optional;

/**
 * Told when the node a {@link NodeCache} watches changes (created, data set, deleted), on the
 * client's listener executor: never on a backend thread, never under a lock. Changes between two
 * reads are merged: the listener always sees the latest state, maybe not every intermediate one.
 */
@FunctionalInterface
public interface NodeCacheListener {

  /** @param current the node's new state, or empty if it does not exist */
  void nodeChanged(Optional<ChildData> current);
}
