package dev.cohort.inmemory.tree;

import dev.cohort.spi.BadArgumentsException;
import dev.cohort.spi.CoordinationException;
import dev.cohort.spi.CreateMode;
import dev.cohort.spi.DataTooLargeException;
import dev.cohort.spi.InvalidPathException;
import dev.cohort.spi.Op;
import dev.cohort.spi.Paths;
import java.time.Duration;
import java.util.List;

/**
 * The checks of a request's own arguments that come before the session's state, shared by the
 * in-memory and replicated backends so both refuse in ZooKeeper's order.
 *
 * <p>ZooKeeper's client checks path syntax, TTL arguments and a multi's mix of reads and writes
 * before it looks at its connection (measured: on a closed handle an invalid path still fails as an
 * invalid path, and a valid one as a closed session); in a multi it validates every op's path before
 * sending any. The session's state comes next, then what the service decides: capabilities, the
 * data limit (a request over it never reaches a ZooKeeper server), the tree.
 */
public final class RequestChecks {

  private RequestChecks() {}

  /** An invalid path, or null. */
  public static CoordinationException path(String path) {
    return path(path, false);
  }

  private static CoordinationException path(String path, boolean sequential) {
    String problem = Paths.problem(path, sequential);
    return problem == null ? null : new InvalidPathException(path, problem);
  }

  /** An invalid path or TTL argument of a create, or null. */
  public static CoordinationException create(String path, CreateMode mode, Duration ttl) {
    CoordinationException invalid = path(path, mode.isSequential());
    if (invalid != null) {
      return invalid;
    }
    if (mode.isTtl() && ttl == null) {
      return new BadArgumentsException(path, "mode " + mode + " needs a TTL");
    }
    if (ttl != null && !mode.isTtl()) {
      return new BadArgumentsException(path, "mode " + mode + " takes no TTL");
    }
    if (ttl != null && ttl.toMillis() <= 0) {
      return new BadArgumentsException(path, "the TTL must be at least 1 ms: " + ttl);
    }
    return null;
  }

  /**
   * What is wrong with a multi's arguments, attributed to its op, or null: empty; then an invalid
   * path or TTL argument in any op (before any op is looked at otherwise); then a mix of reads and
   * writes.
   */
  public static CoordinationException multi(List<Op> ops) {
    return multi(ops, null);
  }

  /**
   * {@link #multi(List)}, where {@code knownValid}, if not null, is a path this caller has already
   * found valid: an op other than a create whose path is that very string (the same instance, so
   * the same characters) is not scanned again. A caller that sends the same path object again and
   * again (a client's receipt slot) is spared the scan; the answer is the same.
   */
  public static CoordinationException multi(List<Op> ops, String knownValid) {
    if (ops.isEmpty()) {
      return new BadArgumentsException(null, "a multi needs at least one op");
    }
    for (int i = 0; i < ops.size(); i++) {
      Op op = ops.get(i);
      CoordinationException e = op instanceof Op.Create c ? create(c.path(), c.mode(), c.ttl())
          : op.path() == knownValid ? null : path(op.path());
      if (e != null) {
        return e.atOp(i);
      }
    }
    boolean read = ops.get(0).isRead();
    for (int i = 0; i < ops.size(); i++) {
      if (ops.get(i).isRead() != read) {
        return new BadArgumentsException(ops.get(i).path(), "a multi may not mix reads and writes").atOp(i);
      }
    }
    return null;
  }

  /**
   * Data over the limit in a multi, one op's or all ops' together (ZooKeeper sends a multi as one
   * request, and refuses it whole when that is too large), attributed to the op where the total
   * passes the limit; or null.
   */
  public static CoordinationException multiDataSize(List<Op> ops, int maxDataBytes) {
    long total = 0;
    for (int i = 0; i < ops.size(); i++) {
      Op op = ops.get(i);
      int length = op instanceof Op.Create c ? c.data().length : op instanceof Op.SetData s ? s.data().length : 0;
      total += length;
      CoordinationException tooLarge = tooLarge(op.path(), i, length, total, maxDataBytes);
      if (tooLarge != null) {
        return tooLarge;
      }
    }
    return null;
  }

  /**
   * {@link #multiDataSize(List, int)} of the multi's transaction ops ({@link TxnOp#ofWrites}): the
   * same answer, without the copy of each op's data that {@link Op}'s accessors hand out.
   */
  public static CoordinationException txnDataSize(List<TxnOp> ops, int maxDataBytes) {
    long total = 0;
    for (int i = 0; i < ops.size(); i++) {
      TxnOp op = ops.get(i);
      int length;
      String path;
      if (op instanceof TxnOp.CreateNode c) {
        length = c.data().length;
        path = c.path();
      } else if (op instanceof TxnOp.SetData s) {
        length = s.data().length;
        path = s.path();
      } else {
        continue; // carries no data: the total does not grow, so it cannot pass the limit here
      }
      total += length;
      CoordinationException tooLarge = tooLarge(path, i, length, total, maxDataBytes);
      if (tooLarge != null) {
        return tooLarge;
      }
    }
    return null;
  }

  private static CoordinationException tooLarge(String path, int index, int length, long total, int maxDataBytes) {
    if (length > maxDataBytes) {
      return new DataTooLargeException(path, length + " bytes is more than the limit of " + maxDataBytes + " bytes")
          .atOp(index);
    }
    if (total > maxDataBytes) {
      return new DataTooLargeException(path, "the ops of the multi carry " + total
          + " bytes or more, more than the limit of " + maxDataBytes + " bytes for a whole multi").atOp(index);
    }
    return null;
  }
}
