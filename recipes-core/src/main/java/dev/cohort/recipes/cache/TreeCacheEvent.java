package dev.cohort.recipes.cache;

import java.util.Objects;

/**
 * One change a {@link TreeCache} saw.
 *
 * @param type what happened
 * @param node the node's new state (for {@link Type#NODE_REMOVED}, its last cached state); null
 *     only for {@link Type#INITIALIZED}. In a cache that does not keep data its data is empty.
 */
public record TreeCacheEvent(Type type, ChildData node) {

  public TreeCacheEvent {
    Objects.requireNonNull(type, "type");
    if ((type == Type.INITIALIZED) != (node == null)) {
      throw new IllegalArgumentException("INITIALIZED has no node, every other event has one");
    }
  }

  /** What happened. */
  public enum Type {
    /** A node entered the cache: created, or seen for the first time (initial load, resync). */
    NODE_ADDED,
    /** A cached node's data was set (its mzxid moved on). */
    NODE_UPDATED,
    /** A cached node is gone: deleted, or its parent was removed from the cache. */
    NODE_REMOVED,
    /** The initial load is complete: every node that existed when it began has been reported. */
    INITIALIZED
  }
}
