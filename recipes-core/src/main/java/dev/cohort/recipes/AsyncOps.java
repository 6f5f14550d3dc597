package dev.cohort.recipes;

import dev.cohort.spi.Children;
import dev.cohort.spi.CreateMode;
import dev.cohort.spi.Created;
import dev.cohort.spi.NodeData;
import dev.cohort.spi.Op;
import dev.cohort.spi.OpResult;
import dev.cohort.spi.Stat;
import dev.cohort.spi.WatchMode;
import dev.cohort.spi.Watcher;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * The client's operations, asynchronous form. Paths are relative to the client's namespace (a
 * path {@code /a} means {@code <namespace>/a}); results and watch events name them the same way.
 *
 * <p>Every operation runs on the session current when it is called. When it fails with a lost
 * connection, it is retried by the client's {@link RetryPolicy} if retrying is safe: reads,
 * version-checked writes, deletes and non-sequential creates. A plain sequential create is never
 * retried (a blind retry could leak a node): use {@link #createProtected}. Futures fail with the
 * {@link dev.cohort.spi.CoordinationException} of the last attempt, and complete on a backend
 * thread: do not block in their callbacks.
 *
 * <p>On a client not started or already closed every operation throws {@link
 * IllegalStateException} at once, before anything is sent (see {@link Cohort#checkUsable()});
 * only {@link #deleteIfOwned} answers false on a closed client, since the node went with the closed
 * session.
 */
public interface AsyncOps {

  /** Creates a node; fails with NoNode if its parent is missing. */
  CompletableFuture<Created> create(String path, byte[] data, CreateMode mode);

  /**
   * Creates a node, first creating any missing ancestors as empty nodes. The ancestors are
   * persistent, except where the backend has {@link dev.cohort.spi.Capability#CONTAINER_NODES} and
   * the node goes away by itself (an ephemeral, container or TTL mode): then they are containers,
   * removed by the service once emptied, so that directories of ephemerals do not pile up. If a
   * container parent is removed before the node's create reaches it, the parents are created again
   * (a bounded number of times; then the NoNode is the failure).
   */
  CompletableFuture<Created> createWithParents(String path, byte[] data, CreateMode mode);

  /**
   * Protected sequential create under {@code parent} (created with its ancestors if missing, as
   * containers for ephemeral modes where the backend has them; see {@link #createWithParents}): the
   * node is named {@code _c_<uuid>-<name><sequence>}, with a uuid unique to this create (never
   * drawn from the client's random source, so whatever its seed). For ephemeral modes, after a lost
   * reply the client lists {@code parent}, finds its own node by the uuid and accepts it only if the
   * current session owns it; otherwise it creates again. So a lost reply never leaks a node and
   * never adopts someone else's.
   *
   * <p>For persistent modes a node not found may already have been consumed by someone else, so
   * the create goes in one transaction with a receipt: the create's uuid written to an ephemeral
   * slot of the session under {@code /_cohort/receipts} (in the namespace; slots are reused and go
   * with the session). After a lost reply the receipt tells whether the create was applied, and it
   * is never made twice. If the session ends before the outcome is learnt, the future fails with a
   * {@link dev.cohort.spi.ConnectionLossException} (outcome unknown: the node may exist). If the
   * node was consumed before the client could look it up, the returned path is the name it was
   * created under without its sequence suffix (its czxid is exact).
   *
   * @param mode a sequential mode
   * @throws IllegalArgumentException (synchronously) if {@code mode} is not sequential
   */
  CompletableFuture<OwnedNode> createProtected(String parent, String name, byte[] data, CreateMode mode);

  /** Deletes a node if its version matches ({@code -1}: any). */
  CompletableFuture<Void> delete(String path, int version);

  /**
   * Deletes a node and keeps retrying in the background after lost connections until the delete
   * is done, the node is gone, or the session that was current at the call has ended (its
   * ephemerals are gone with it). Completes with true if this call deleted the node.
   */
  CompletableFuture<Boolean> deleteGuaranteed(String path, int version);

  /**
   * Deletes {@code node} only if it is still the node this incarnation created: the session that
   * owns it must still be the client's live session (after a session loss the node is gone with its
   * session, and nothing is sent), and its unique path guarantees no other owner's node can be hit.
   * Retries in the background like {@link #deleteGuaranteed}. Completes with true if it deleted the
   * node, false if there was nothing of ours to delete; never fails with NoNode.
   */
  CompletableFuture<Boolean> deleteIfOwned(OwnedNode node);

  /**
   * As {@link #deleteIfOwned(OwnedNode)}, but sets the node's data to {@code finalData} in the same
   * atomic step (one multi of setData and delete). A one-shot watch on the node then fires once, with
   * {@link dev.cohort.spi.WatchEvent.Type#NODE_DATA_CHANGED}, where a plain delete or the end of the
   * owner's session fires {@code NODE_DELETED}: the watcher can tell this deletion from those without
   * another read. The exclusive lock releases this way, so that the waiter behind a holder takes
   * over without listing the queue again.
   */
  CompletableFuture<Boolean> deleteIfOwned(OwnedNode node, byte[] finalData);

  /**
   * As {@link #deleteIfOwned(OwnedNode, byte[])}, but the setData and delete may be held back for
   * the client's {@linkplain Cohort.Builder#writeJoinWindow write-join window}, so that a {@link
   * #createProtectedReplacing} of this node, sent within it, carries them in its own transaction (one
   * write for the service to sync where there were two). Otherwise they are sent alone when the
   * window passes. Until then others still see the node. With a zero window (see the builder) this
   * is {@code deleteIfOwned(node, finalData)}. A lock's release uses it, so that a holder that
   * acquires again at once pays one write per cycle.
   */
  default CompletableFuture<Boolean> deleteIfOwnedJoinable(OwnedNode node, byte[] finalData) {
    return deleteIfOwned(node, finalData);
  }

  /**
   * A {@link #createProtected protected} ephemeral create under {@code released}'s parent that also
   * carries {@code released}'s release, held back by {@link #deleteIfOwnedJoinable}: the release's
   * setData and delete and the create are one transaction. Completes with the new node (the release
   * then happened in the same transaction), or with null if that release is not held any more
   * (its window passed, another create carried it, or the node is gone): then nothing was created
   * and the caller creates as usual. Lost replies are handled as for {@link #createProtected}.
   *
   * @param mode an ephemeral sequential mode
   * @throws IllegalArgumentException (synchronously) if {@code mode} is not ephemeral sequential
   */
  default CompletableFuture<OwnedNode> createProtectedReplacing(OwnedNode released, String name, byte[] data,
      CreateMode mode) {
    java.util.Objects.requireNonNull(released, "released");
    if (!mode.isEphemeral() || !mode.isSequential()) {
      throw new IllegalArgumentException("a replacing create needs an ephemeral sequential mode, not " + mode);
    }
    return CompletableFuture.completedFuture(null); // nothing is ever held back here
  }

  /** The node's stat or null; with a watcher, sets a one-shot data watch either way. */
  CompletableFuture<Stat> exists(String path, Watcher watcher);

  /** The node's data and stat; with a watcher, a one-shot data watch. */
  CompletableFuture<NodeData> getData(String path, Watcher watcher);

  /** Sets the node's data if its version matches. */
  CompletableFuture<Stat> setData(String path, byte[] data, int version);

  /** The node's children (unsorted) and stat; with a watcher, a one-shot child watch. */
  CompletableFuture<Children> getChildren(String path, Watcher watcher);

  /** Brings the session's view up to date with every write completed before the call. */
  CompletableFuture<Void> sync(String path);

  /** Runs {@code ops} atomically; paths are namespaced, created paths in results are relative. */
  CompletableFuture<List<OpResult>> multi(List<Op> ops);

  /**
   * Adds a persistent watch on the current session (needs {@link
   * dev.cohort.spi.Capability#PERSISTENT_WATCHES}); it ends with that session, so re-add it after a
   * {@link ConnectionState#LOST}. Events name namespace-relative paths.
   */
  CompletableFuture<Void> addWatch(String path, WatchMode mode, Watcher watcher);

  /**
   * Removes every registration of {@code watcher} on {@code path} (one-shot or persistent) from the
   * current session. Pass the same watcher object the watches were set with.
   */
  CompletableFuture<Void> removeWatches(String path, Watcher watcher);
}
