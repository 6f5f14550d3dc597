package dev.cohort.spi;

/**
 * Optional features a backend may support, declared by {@link CoordinationBackend#capabilities()}.
 * Conformance tests that need a capability the backend lacks are skipped with it as the reason.
 *
 * <p>Two kinds: an <em>operation</em> capability ({@link #PERSISTENT_WATCHES}, {@link
 * #CONTAINER_NODES}, {@link #TTL_NODES}) names requests that fail with {@link
 * UnimplementedException} on a backend without it; a <em>behaviour</em> capability ({@link
 * #MULTI_EVENTS_PER_OP}) names a guarantee stronger than the one every backend keeps, and its
 * absence refuses nothing.
 */
public enum Capability {
  /** {@link Session#addWatch} with {@link WatchMode#PERSISTENT} and {@link WatchMode#PERSISTENT_RECURSIVE}. */
  PERSISTENT_WATCHES,
  /** {@link CreateMode#CONTAINER}: nodes removed some time after their last child is deleted. */
  CONTAINER_NODES,
  /** {@link CreateMode#PERSISTENT_WITH_TTL} and {@link CreateMode#PERSISTENT_SEQUENTIAL_WITH_TTL}. */
  TTL_NODES,
  /**
   * Other sessions' watches see one event per op of a {@link Session#multi multi}, even when the
   * multi writes one node more than once, as on ZooKeeper: a multi that sets a node's data and
   * then deletes it fires another session's data watch on that node with NODE_DATA_CHANGED (the
   * watch is spent by the first op), and its persistent watches with NODE_DATA_CHANGED then
   * NODE_DELETED.
   *
   * <p>Without it a backend may hand such a multi to other sessions as its net change per node:
   * their watches see the node's final state only (NODE_DELETED in the example, which still fires
   * each watch once; a node the multi creates and deletes again may fire nothing). The session that
   * ran the multi sees one event per op on every backend. A behaviour capability: nothing fails
   * without it.
   */
  MULTI_EVENTS_PER_OP
}
