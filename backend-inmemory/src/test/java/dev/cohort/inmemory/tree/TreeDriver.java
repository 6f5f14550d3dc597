package dev.cohort.inmemory.tree;

import dev.cohort.spi.CreateMode;
import dev.cohort.spi.NodeData;
import dev.cohort.spi.Paths;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/** Feeds a tree transactions with increasing zxids and a settable clock; test helper. */
final class TreeDriver {
  final DataTree tree;
  long zxid;
  long timeMillis = 1_000;

  TreeDriver() {
    this(new DataTree());
  }

  TreeDriver(DataTree tree) {
    this.tree = tree;
    this.zxid = tree.lastZxid();
  }

  ApplyResult apply(long sessionId, TxnOp op) {
    return tree.apply(new Txn(++zxid, timeMillis, sessionId, op));
  }

  ApplyResult apply(TxnOp op) {
    return apply(0, op);
  }

  Outcome create(String path, CreateMode mode) {
    return apply(1, new TxnOp.CreateNode(path, new byte[0], mode, 0)).outcome();
  }

  Outcome create(String path) {
    return create(path, CreateMode.PERSISTENT);
  }

  static byte[] bytes(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  /** Every node with its data and stat, read through the public API: "the tree's content". */
  static Map<String, NodeData> content(DataTree tree) {
    Map<String, NodeData> nodes = new TreeMap<>();
    collect(tree, Paths.ROOT, nodes);
    return nodes;
  }

  private static void collect(DataTree tree, String path, Map<String, NodeData> into) {
    into.put(path, tree.getData(path));
    List<String> names = tree.getChildren(path).names();
    for (String name : names) {
      collect(tree, Paths.join(path, name), into);
    }
  }
}
