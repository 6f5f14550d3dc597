package dev.cohort.spi;

/**
 * Optional features a backend may support. Operations that need a missing capability fail with
 * {@link UnimplementedException}; conformance tests for it are skipped with this as the reason.
 */
public enum Capability {
  /** {@link Session#addWatch} with {@link WatchMode#PERSISTENT} and {@link WatchMode#PERSISTENT_RECURSIVE}. */
  PERSISTENT_WATCHES,
  /** {@link CreateMode#CONTAINER}: nodes removed some time after their last child is deleted. */
  CONTAINER_NODES,
  /** {@link CreateMode#PERSISTENT_WITH_TTL} and {@link CreateMode#PERSISTENT_SEQUENTIAL_WITH_TTL}. */
  TTL_NODES
}
