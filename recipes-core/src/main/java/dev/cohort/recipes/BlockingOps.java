package dev.cohort.recipes;

import dev.cohort.spi.Children;
import dev.cohort.spi.CreateMode;
import dev.cohort.spi.Created;
import dev.cohort.spi.NodeData;
import dev.cohort.spi.Op;
import dev.cohort.spi.OpResult;
import dev.cohort.spi.Stat;
import dev.cohort.spi.Watcher;
import java.util.List;

/**
 * The client's operations, blocking form: each does what the matching {@link AsyncOps} operation
 * does (same namespace, same retries under the same policy), waits for it, and throws its {@link
 * dev.cohort.spi.CoordinationException} directly. Every method is interruptible; an interrupted wait
 * throws {@link InterruptedException} and the operation itself may still take effect. Never call these on a backend thread (inside a watcher or a future's
 * callback). On a client not started or closed, they throw {@link IllegalStateException} at once,
 * as the asynchronous forms do.
 */
public interface BlockingOps {

  Created create(String path, byte[] data, CreateMode mode) throws InterruptedException;

  Created createWithParents(String path, byte[] data, CreateMode mode) throws InterruptedException;

  OwnedNode createProtected(String parent, String name, byte[] data, CreateMode mode)
      throws InterruptedException;

  /**
   * As {@link AsyncOps#createProtectedReplacing}, its transaction sent on the caller's thread;
   * null if the release is not held any more (nothing created). If interrupted while it waits, no
   * node of this create is left (one the transaction made is deleted in the background) and the
   * release still happens.
   */
  default OwnedNode createProtectedReplacing(OwnedNode released, String name, byte[] data, CreateMode mode)
      throws InterruptedException {
    java.util.Objects.requireNonNull(released, "released");
    if (!mode.isEphemeral() || !mode.isSequential()) {
      throw new IllegalArgumentException("a replacing create needs an ephemeral sequential mode, not " + mode);
    }
    return null; // nothing is ever held back here
  }

  void delete(String path, int version) throws InterruptedException;

  boolean deleteIfOwned(OwnedNode node) throws InterruptedException;

  /** As {@link AsyncOps#deleteIfOwned(OwnedNode, byte[])}, waiting for the outcome. */
  boolean deleteIfOwned(OwnedNode node, byte[] finalData) throws InterruptedException;

  /** Null if the node does not exist. */
  Stat exists(String path, Watcher watcher) throws InterruptedException;

  NodeData getData(String path, Watcher watcher) throws InterruptedException;

  Stat setData(String path, byte[] data, int version) throws InterruptedException;

  Children getChildren(String path, Watcher watcher) throws InterruptedException;

  void sync(String path) throws InterruptedException;

  List<OpResult> multi(List<Op> ops) throws InterruptedException;
}
