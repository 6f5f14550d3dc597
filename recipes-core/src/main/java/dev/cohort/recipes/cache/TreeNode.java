package dev.cohort.recipes.cache;

import dev.cohort.spi.Stat;
import java.util.concurrent.ConcurrentHashMap;

/**
 * One node of a {@link TreeCache}, stored compactly: the name only (the path is rebuilt from the
 * parents), the stat's fields inline rather than a {@link Stat} object, and a child map only on
 * nodes that have children. Stat and data change together under the node's monitor, so a reader
 * never sees the data of one version with the stat of another; the tree's shape is changed only by
 * the cache's applying thread, and read through concurrent maps.
 */
final class TreeNode {
  final TreeNode parent;
  final String name;
  /** Null until the first child arrives. Written by the applying thread only. */
  volatile ConcurrentHashMap<String, TreeNode> children;

  // The rest is guarded by this node's monitor.
  private byte[] data;
  private long czxid;
  private long mzxid;
  private long pzxid;
  private long ctime;
  private long mtime;
  private long ephemeralOwner;
  private int version;
  private int cversion;
  private int aversion;
  private int dataLength;
  private int numChildren;

  TreeNode(TreeNode parent, String name, Stat stat, byte[] data) {
    this.parent = parent;
    this.name = name;
    set(stat, data);
  }

  synchronized void set(Stat stat, byte[] data) {
    this.data = data;
    czxid = stat.czxid();
    mzxid = stat.mzxid();
    pzxid = stat.pzxid();
    ctime = stat.ctime();
    mtime = stat.mtime();
    ephemeralOwner = stat.ephemeralOwner();
    version = stat.version();
    cversion = stat.cversion();
    aversion = stat.aversion();
    dataLength = stat.dataLength();
    numChildren = stat.numChildren();
  }

  synchronized long czxid() {
    return czxid;
  }

  synchronized long mzxid() {
    return mzxid;
  }

  /** The node as one consistent {@link ChildData}; {@code noData} stands in for data not kept. */
  synchronized ChildData toChildData(String path, byte[] noData) {
    Stat stat = new Stat(czxid, mzxid, pzxid, ctime, mtime, version, cversion, aversion, ephemeralOwner,
        dataLength, numChildren);
    return new ChildData(path, data == null ? noData : data, stat);
  }

  TreeNode child(String childName) {
    var map = children;
    return map == null ? null : map.get(childName);
  }

  void attach(TreeNode child) {
    var map = children;
    if (map == null) {
      map = new ConcurrentHashMap<>(2);
      children = map;
    }
    map.put(child.name, child);
  }

  void detach(String childName) {
    var map = children;
    if (map != null) {
      map.remove(childName);
      if (map.isEmpty()) {
        children = null;
      }
    }
  }

  /** This node's path, given the path of the cache's root. */
  String path(String rootPath) {
    if (parent == null) {
      return rootPath;
    }
    StringBuilder sb = new StringBuilder(64);
    appendPath(sb, rootPath);
    return sb.toString();
  }

  private void appendPath(StringBuilder sb, String rootPath) {
    if (parent == null) {
      sb.append(rootPath.equals("/") ? "" : rootPath);
      return;
    }
    parent.appendPath(sb, rootPath);
    sb.append('/').append(name);
  }
}
