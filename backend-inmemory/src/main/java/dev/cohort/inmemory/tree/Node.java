package dev.cohort.inmemory.tree;

import dev.cohort.spi.Stat;
import java.util.HashMap;

/**
 * One znode. Kept small on purpose (the in-memory backend promises at most 200 bytes per znode
 * beyond its name and data): no path, no parent pointer, no stat object, and the children map only
 * once a child exists. Container and TTL nodes, which are rare, are the subclass {@link
 * SpecialNode} so that ordinary nodes do not pay for the extra field.
 */
class Node {
  static final byte[] EMPTY = new byte[0];

  byte[] data;
  /** Child name to child; null while the node has never had a child. */
  HashMap<String, Node> children;
  long czxid;
  long mzxid;
  long pzxid;
  long ctime;
  long mtime;
  long ephemeralOwner;
  int version;
  /**
   * Child creates so far: the next sequential child's suffix. The reported {@link Stat#cversion()}
   * counts deletes too (see {@link #stat()}).
   */
  int cversion;

  Node(byte[] data, long zxid, long time, long ephemeralOwner) {
    this.data = data.length == 0 ? EMPTY : data;
    this.czxid = zxid;
    this.mzxid = zxid;
    this.pzxid = zxid;
    this.ctime = time;
    this.mtime = time;
    this.ephemeralOwner = ephemeralOwner;
  }

  /** {@link SpecialNode#CONTAINER}, a positive TTL in milliseconds, or 0 for an ordinary node. */
  long kind() {
    return 0;
  }

  int childCount() {
    return children == null ? 0 : children.size();
  }

  Node child(String name) {
    return children == null ? null : children.get(name);
  }

  void putChild(String name, Node child) {
    if (children == null) {
      children = new HashMap<>(4);
    }
    children.put(name, child);
  }

  void removeChild(String name) {
    children.remove(name);
  }

  /**
   * The node's stat. ZooKeeper 3.9 reports a cversion that counts child creates <em>and</em> deletes
   * while its sequence suffix counts creates only (measured against a real server by the
   * ZooKeeper backend's ZooKeeperCversionOracleTest). Every child that is gone was deleted, so
   * deletes = creates - children, and the reported value is 2 × creates - children: no extra field.
   */
  Stat stat() {
    int children = childCount();
    return new Stat(czxid, mzxid, pzxid, ctime, mtime, version, 2 * cversion - children, 0, ephemeralOwner,
        data.length, children);
  }
}

/** A container or TTL node. */
final class SpecialNode extends Node {
  static final long CONTAINER = -1;

  private final long kind;

  SpecialNode(byte[] data, long zxid, long time, long kind) {
    super(data, zxid, time, 0);
    this.kind = kind;
  }

  @Override
  long kind() {
    return kind;
  }
}
