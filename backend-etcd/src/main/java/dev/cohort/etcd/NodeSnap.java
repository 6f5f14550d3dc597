package dev.cohort.etcd;

import dev.cohort.spi.Stat;
import io.etcd.jetcd.KeyValue;
import java.util.List;

/**
 * One node as a single read saw it: its data key, its counter key and its children (a count, or the
 * names when asked), all at one revision.
 *
 * @param data the data key, or null if the node does not exist
 * @param meta the counter key, or null (ephemerals, missing nodes)
 * @param names the child names, or null when only counted
 */
record NodeSnap(String path, KeyValue data, KeyValue meta, long childCount, List<String> names) {

  boolean exists() {
    return data != null;
  }

  NodeValue value() {
    return NodeValue.decode(data.getValue().getBytes());
  }

  int creates() {
    return meta == null ? 0 : NodeValue.decodeCounter(meta.getValue().getBytes());
  }

  long dataModRevision() {
    return data == null ? 0 : data.getModRevision();
  }

  long metaModRevision() {
    return meta == null ? 0 : meta.getModRevision();
  }

  long czxid() {
    return NodeValue.czxidOf(data);
  }

  /** The pzxid: the last explicit child create or delete, else the node's creation. */
  long pzxid() {
    return meta == null ? czxid() : meta.getModRevision();
  }

  Stat stat() {
    NodeValue v = value();
    int children = (int) childCount;
    return new Stat(czxid(), data.getModRevision(), pzxid(), v.ctime(), v.mtime(), v.version(),
        2 * creates() - children, 0, data.getLease(), v.data().length, children);
  }
}
