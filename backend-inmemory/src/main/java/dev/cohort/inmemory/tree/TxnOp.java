package dev.cohort.inmemory.tree;

import dev.cohort.spi.CreateMode;
import dev.cohort.spi.Op;
import java.util.List;
import java.util.Objects;

/**
 * The operations a {@link Txn} can carry. Byte arrays are taken over, not copied: the tree never
 * modifies them (a setData replaces the array), so one transaction may be applied to several trees.
 * Requests are not validated here: {@link DataTree#apply} reports every bad argument as a
 * {@link Outcome.Failed}.
 */
public sealed interface TxnOp {

  /**
   * The transaction ops of a write multi, in order, unmodifiable: the one translation from the SPI
   * that every backend on this tree uses. The caller has already refused reads and mixed multis.
   *
   * @throws IllegalArgumentException for a read op
   */
  static List<TxnOp> ofWrites(List<Op> ops) {
    TxnOp[] txnOps = new TxnOp[ops.size()];
    for (int i = 0; i < txnOps.length; i++) {
      Op op = ops.get(i);
      if (op instanceof Op.Create c) {
        txnOps[i] = new CreateNode(c.path(), c.data(), c.mode(), c.ttl() == null ? 0 : c.ttl().toMillis());
      } else if (op instanceof Op.Delete d) {
        txnOps[i] = new DeleteNode(d.path(), d.version());
      } else if (op instanceof Op.SetData sd) {
        txnOps[i] = new SetData(sd.path(), sd.data(), sd.version());
      } else if (op instanceof Op.Check k) {
        txnOps[i] = new Check(k.path(), k.version());
      } else {
        throw new IllegalArgumentException("not a write op: " + op);
      }
    }
    // Unmodifiable as Multi keeps it, so that Multi's defensive copy copies nothing.
    return List.of(txnOps);
  }

  /**
   * Creates a node.
   *
   * @param path the node's path, or for sequential modes the prefix of its name
   * @param ttlMillis the time to live of a TTL mode (positive), else 0
   */
  record CreateNode(String path, byte[] data, CreateMode mode, long ttlMillis) implements TxnOp {
    public CreateNode {
      Objects.requireNonNull(path, "path");
      Objects.requireNonNull(data, "data");
      Objects.requireNonNull(mode, "mode");
    }
  }

  /** Deletes a childless node whose version matches ({@code -1} matches any). */
  record DeleteNode(String path, int version) implements TxnOp {
    public DeleteNode {
      Objects.requireNonNull(path, "path");
    }
  }

  /** Replaces a node's data if its version matches ({@code -1} matches any). */
  record SetData(String path, byte[] data, int version) implements TxnOp {
    public SetData {
      Objects.requireNonNull(path, "path");
      Objects.requireNonNull(data, "data");
    }
  }

  /** A precondition inside a {@link Multi}: the node exists and has the version (unless -1). */
  record Check(String path, int version) implements TxnOp {
    public Check {
      Objects.requireNonNull(path, "path");
    }
  }

  /** Write operations applied all or nothing; no nested multi. */
  record Multi(List<TxnOp> ops) implements TxnOp {
    public Multi {
      ops = List.copyOf(ops);
    }
  }

  /** Registers the transaction's session, so that it may own ephemerals. */
  record CreateSession(long timeoutMillis) implements TxnOp {}

  /** Ends the transaction's session (closed or expired): deletes its ephemerals. */
  record CloseSession() implements TxnOp {}

  /**
   * Deletes those of {@code paths} that are, at the transaction's time, an empty container that had
   * children once, or a childless TTL node unmodified for longer than its TTL. Others are skipped,
   * so a sweep proposed from a slightly older view of the tree is still safe. The paths usually come
   * from {@link DataTree#sweepCandidates(long)}.
   */
  record Sweep(List<String> paths) implements TxnOp {
    public Sweep {
      paths = List.copyOf(paths);
    }
  }
}
