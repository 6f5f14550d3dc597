package dev.cohort.recipes;

import java.util.Objects;

/**
 * A znode this client created with a protected create, identified by everything that makes it
 * this incarnation's and no one else's: its path (which embeds a client-chosen unique id and a
 * sequence number, so no other create can ever produce the same path), its creation zxid and the
 * session that owns it.
 *
 * @param path the node's path, relative to the client's namespace
 * @param czxid the zxid that created it; its {@link #fencingToken()}
 * @param sessionId the session that owns it (for ephemeral nodes), or the session that created it
 */
public record OwnedNode(String path, long czxid, long sessionId) {

  public OwnedNode {
    Objects.requireNonNull(path, "path");
  }

  /** The last segment of the path. */
  public String name() {
    return path.substring(path.lastIndexOf('/') + 1);
  }

  /** The fencing token of the ownership this node carries. */
  public FencingToken fencingToken() {
    return new FencingToken(czxid);
  }

  /**
   * A {@link dev.cohort.spi.Op#check check} that passes only while this node exists: put it in a
   * {@link AsyncOps#multi multi} so that the multi's writes are applied only while the ownership
   * this node carries lasts. That is exact for an ephemeral node with a protected name: nobody else
   * creates that path, the node is never created again, and it goes with a release or with its
   * session. Pass it to the same client's {@code multi} (the path is namespace-relative).
   */
  public dev.cohort.spi.Op ownershipCheck() {
    return dev.cohort.spi.Op.check(path, -1);
  }
}
