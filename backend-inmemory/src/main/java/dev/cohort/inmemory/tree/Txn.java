package dev.cohort.inmemory.tree;

import java.util.Objects;

/**
 * One transaction for {@link DataTree#apply}: the operation plus everything that would otherwise
 * make applying it depend on the applier, so that every tree fed the same sequence of transactions
 * ends in the same state and returns the same results.
 *
 * @param zxid the transaction id; larger than every zxid applied before it
 * @param timeMillis the service's wall-clock time of the transaction, stamped into ctime/mtime and
 *     compared against TTLs
 * @param sessionId the session that issued it (the owner of ephemerals it creates; the session a
 *     {@link TxnOp.CreateSession} or {@link TxnOp.CloseSession} concerns); 0 for the service itself
 * @param op what to do
 */
public record Txn(long zxid, long timeMillis, long sessionId, TxnOp op) {
  public Txn {
    Objects.requireNonNull(op, "op");
  }
}
