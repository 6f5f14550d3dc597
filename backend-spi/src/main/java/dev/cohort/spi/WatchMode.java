package dev.cohort.spi;

/** Modes of {@link Session#addWatch}; needs {@link Capability#PERSISTENT_WATCHES}. */
public enum WatchMode {
  /**
   * Stays registered after it fires. Reports NODE_CREATED, NODE_DELETED and NODE_DATA_CHANGED of the
   * node and NODE_CHILDREN_CHANGED when a child is created or deleted.
   */
  PERSISTENT,
  /**
   * Stays registered after it fires. Reports NODE_CREATED, NODE_DELETED and NODE_DATA_CHANGED of the
   * node and of every descendant, and never NODE_CHILDREN_CHANGED.
   */
  PERSISTENT_RECURSIVE
}
