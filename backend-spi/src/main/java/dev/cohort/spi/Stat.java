package dev.cohort.spi;

/**
 * The metadata of a znode.
 *
 * <p>A zxid is the service's transaction id: every write gets a larger one than every write before
 * it. {@code czxid} therefore works as a <b>fencing token</b>: a node created later, by anyone, has a
 * larger czxid, so a resource that remembers the largest czxid it has accepted can reject a stale
 * owner's late write.
 *
 * @param czxid zxid of the transaction that created the node
 * @param mzxid zxid of the transaction that last set its data (equals czxid until then)
 * @param pzxid zxid of the transaction that last created or deleted a child (czxid until then)
 * @param ctime creation time, milliseconds since the epoch by the service's clock
 * @param mtime last data change time, milliseconds since the epoch by the service's clock
 * @param version number of setData calls on the node
 * @param cversion number of child creates and deletes under the node
 * @param aversion number of ACL changes (always 0 where ACLs are not supported)
 * @param ephemeralOwner id of the owning session for an ephemeral node, else 0
 * @param dataLength length of the node's data in bytes
 * @param numChildren number of children
 */
public record Stat(
    long czxid,
    long mzxid,
    long pzxid,
    long ctime,
    long mtime,
    int version,
    int cversion,
    int aversion,
    long ephemeralOwner,
    int dataLength,
    int numChildren) {

  /** Whether the node is ephemeral (owned by a session). */
  public boolean isEphemeral() {
    return ephemeralOwner != 0;
  }
}
