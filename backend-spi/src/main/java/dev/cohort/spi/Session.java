package dev.cohort.spi;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * One client session with a coordination service: the unit of liveness. Ephemeral nodes live
 * exactly as long as the session that created them; watches belong to the session that set them.
 *
 * <h2>Ordering</h2>
 * Operations take effect in the order they are issued on this session, and their futures complete
 * in that order, on the session's event thread. Watch events of this session are delivered on the
 * same thread, interleaved in order with completions: a session sees the event of a watch it set
 * before any completion whose result shows the change. Do not block that thread for long: use the
 * {@code *Async} forms of {@link CompletableFuture} to move heavy work elsewhere.
 *
 * <p>One caveat comes from {@link CompletableFuture} itself: a thread that waits on a future with
 * {@code get()} or {@code join()} may run that future's pending dependent actions (those attached
 * without an executor) itself, as soon as it wakes, rather than leave them to the event thread. Those
 * actions then run concurrently with, and possibly after, the event thread's callbacks of later
 * operations. The futures still complete in issue order; only where their callbacks run differs.
 * Callbacks that must run in issue order should not be attached to futures other threads wait on.
 *
 * <p>{@link #blocking()} offers the same operations in blocking form, for callers that wait anyway:
 * same semantics, errors and watches; only the thread that waits differs.
 *
 * <h2>Errors</h2>
 * Each operation completes exceptionally with a {@link CoordinationException} subclass on failure,
 * and then has changed nothing (except {@link ConnectionLossException}, whose outcome is unknown).
 * Only a null argument makes a method throw, with {@link NullPointerException}. Versions: {@code -1}
 * matches any version.
 *
 * <p>The order of checks is ZooKeeper's, on every backend: first the request's own arguments that
 * ZooKeeper's client checks before it looks at its connection (an invalid path, TTL arguments that
 * do not fit the mode, an empty or mixed multi), so these fail the same way on a closed or
 * suspended session; then the session's state ({@link SessionClosedException}, {@link
 * SessionExpiredException}, {@link ConnectionLossException}); then what the service refuses
 * ({@link UnimplementedException}, {@link DataTooLargeException}, {@link BadArgumentsException} for
 * the root or the reserved subtree) and the tree's state.
 *
 * <h2>Implementation notes</h2>
 * Validate paths with {@link Paths}. Fail operations issued while {@link SessionState#SUSPENDED}
 * with {@link ConnectionLossException}, and operations in flight when the connection drops too.
 * Deliver state changes to listeners on the event thread, once per transition. Override {@link
 * #blocking()} only if the service's client can answer a waiting thread directly.
 */
public interface Session extends AutoCloseable {

  /** The service-assigned id, never 0; the {@code ephemeralOwner} of this session's ephemerals. */
  long id();

  /** The current state. */
  SessionState state();

  /** The session timeout the service granted, which may differ from the one asked for. */
  Duration sessionTimeout();

  /** Registers a listener for state transitions from now on. Idempotent per listener. */
  void addStateListener(SessionStateListener listener);

  /** Removes a state listener; a no-op if it was not registered. */
  void removeStateListener(SessionStateListener listener);

  /**
   * Creates a node.
   *
   * <p>Fails with {@link NodeExistsException} if the path exists (never for sequential modes),
   * {@link NoNodeException} if the parent does not, {@link NoChildrenForEphemeralsException} if the
   * parent is ephemeral, {@link InvalidPathException}, {@link DataTooLargeException}, or
   * {@link UnimplementedException} for a mode the backend lacks. TTL modes need {@link
   * #create(String, byte[], CreateMode, Duration)}.
   *
   * @param path the node's path; for sequential modes, the prefix of its name (it may end in
   *     {@code /}, giving names made of the suffix alone)
   * @param data the node's data, copied; may be empty
   */
  CompletableFuture<Created> create(String path, byte[] data, CreateMode mode);

  /**
   * Creates a node with a time to live; {@code mode} must be a TTL mode and {@code ttl} positive,
   * else the future fails with {@link BadArgumentsException}.
   */
  CompletableFuture<Created> create(String path, byte[] data, CreateMode mode, Duration ttl);

  /**
   * Deletes a node if its version matches. Fails with {@link NoNodeException}, {@link
   * BadVersionException}, {@link NotEmptyException}, or {@link BadArgumentsException} for the root
   * and the reserved {@code /zookeeper} subtree.
   */
  CompletableFuture<Void> delete(String path, int version);

  /**
   * The node's stat, or {@code null} if it does not exist. With a watcher, a data watch is set
   * either way: it fires NODE_CREATED for a missing node, or NODE_DATA_CHANGED / NODE_DELETED.
   *
   * @param watcher one-shot watcher, or null for none
   */
  CompletableFuture<Stat> exists(String path, Watcher watcher);

  /** {@link #exists(String, Watcher)} without a watch. */
  default CompletableFuture<Stat> exists(String path) {
    return exists(path, null);
  }

  /**
   * The node's data and stat. Fails with {@link NoNodeException} if it does not exist, and then sets
   * no watch. With a watcher, a one-shot data watch is set (NODE_DATA_CHANGED or NODE_DELETED).
   */
  CompletableFuture<NodeData> getData(String path, Watcher watcher);

  /** {@link #getData(String, Watcher)} without a watch. */
  default CompletableFuture<NodeData> getData(String path) {
    return getData(path, null);
  }

  /**
   * Replaces all of the node's data if its version matches; returns the new stat. Fails with
   * {@link NoNodeException}, {@link BadVersionException} or {@link DataTooLargeException}.
   */
  CompletableFuture<Stat> setData(String path, byte[] data, int version);

  /**
   * The node's children and stat. Fails with {@link NoNodeException} (no watch set). With a watcher,
   * a one-shot child watch is set (NODE_CHILDREN_CHANGED, or NODE_DELETED when the node goes).
   */
  CompletableFuture<Children> getChildren(String path, Watcher watcher);

  /** {@link #getChildren(String, Watcher)} without a watch. */
  default CompletableFuture<Children> getChildren(String path) {
    return getChildren(path, null);
  }

  /**
   * Brings this session's view up to date: once the future completes, a read on this session sees
   * every write that had completed (on any session) before sync was issued.
   */
  CompletableFuture<Void> sync(String path);

  /**
   * Runs {@code ops} atomically: all writes ({@link Op.Create}, {@link Op.Delete}, {@link Op.SetData},
   * {@link Op.Check}) or all reads ({@link Op.GetData}, {@link Op.GetChildren}). A mix, or an empty
   * list, fails with {@link BadArgumentsException}. Writes succeed whole or fail whole; on failure
   * the future fails with the exception of the first op that failed, whose {@link
   * CoordinationException#opIndex()} says which one. Results come in op order.
   *
   * <p>Two refusals come before any op is looked at, as on ZooKeeper, which checks and sends a multi
   * as one request: an invalid path in any op ({@link InvalidPathException} at that op, even behind
   * an op that would fail on the tree), and more data in all the ops together than the backend's
   * limit ({@link DataTooLargeException}, at the op where the total passes it).
   *
   * <p>Watches: this session's watches see one event per op, in op order, before the multi
   * completes. Other sessions' watches see the same with {@link Capability#MULTI_EVENTS_PER_OP};
   * without it, a node the multi writes more than once may reach them as its net change only.
   */
  CompletableFuture<List<OpResult>> multi(List<Op> ops);

  /**
   * Adds a persistent watch, which stays until removed or the session ends. Needs {@link
   * Capability#PERSISTENT_WATCHES}; the node need not exist.
   */
  CompletableFuture<Void> addWatch(String path, WatchMode mode, Watcher watcher);

  /**
   * Removes every registration of {@code watcher} on {@code path}, one-shot or persistent. Completes
   * normally whether or not one existed; the watcher receives no event for the removal.
   */
  CompletableFuture<Void> removeWatches(String path, Watcher watcher);

  /**
   * This session's operations in blocking form, each waiting on the calling thread and throwing its
   * failure. Same semantics, same errors, same watch behaviour as the asynchronous operations; only
   * the thread that waits differs (see {@link BlockingSession} for what that implies for ordering
   * with the event thread). Cheap to call; the view lives as long as the session.
   *
   * <p>The default view issues the asynchronous operation and waits for its future.
   */
  default BlockingSession blocking() {
    return new AwaitingBlockingSession(this);
  }

  /**
   * Closes the session: its ephemeral nodes are deleted and its watches dropped; pending operations
   * fail with {@link SessionClosedException}. Blocks until the service has acknowledged or the
   * session timeout has passed. Idempotent.
   */
  @Override
  void close();
}
