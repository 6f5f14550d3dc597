package dev.cohort.tck;

import dev.cohort.spi.CreateMode;
import dev.cohort.spi.ErrorCode;
import dev.cohort.spi.Paths;
import dev.cohort.spi.WatchEvent;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * A deliberately simple model of a znode tree for the model-based conformance test: a sorted map of
 * path to data, version, cversion and ephemeral owner, with ZooKeeper's rules for each write. The
 * root {@code /} is implicit and always exists; the model does not track its stat.
 *
 * <p>Every change is also recorded as a {@link Change} (what a watch would see) and counted, so the
 * harness can predict watch events, including those a session gets when it reconnects.
 *
 * <p>Zxids are not predicted (a service spends them on session events too); the model learns a
 * node's czxid, mzxid and pzxid from the first result that shows them and then expects them to stay
 * put until the model's own rules say they move. {@code -1} means "not yet known".
 */
final class TreeModel {

  /** A node's modelled state. */
  static final class Node {
    byte[] data;
    int version;
    /** The cversion a stat shows. */
    int cversion;
    /** Child creates so far: where sequence suffixes come from. */
    int childCreates;
    long owner;
    long czxid = -1;
    long mzxid = -1;
    long pzxid = -1;
    /** The model's change counter when the node was created or its data last set. */
    long dataSeq;
    /** The model's change counter when the node was created or a child last came or went. */
    long childSeq;

    Node(byte[] data, long owner) {
      this.data = data.clone();
      this.owner = owner;
    }

    Node copy() {
      Node n = new Node(data, owner);
      n.version = version;
      n.cversion = cversion;
      n.childCreates = childCreates;
      n.czxid = czxid;
      n.mzxid = mzxid;
      n.pzxid = pzxid;
      n.dataSeq = dataSeq;
      n.childSeq = childSeq;
      return n;
    }
  }

  /** A write the model refuses, with the code the service must give. */
  static final class Refused extends RuntimeException {
    final ErrorCode code;

    Refused(ErrorCode code) {
      super(code.name(), null, false, false);
      this.code = code;
    }
  }

  /** A change the model made, as a watch sees it. */
  record Change(WatchEvent.Type type, String path) {}

  private final TreeMap<String, Node> nodes = new TreeMap<>();
  private final List<Change> changes = new ArrayList<>();
  /** Counts changes; stands in for zxids when deciding what changed while a session was away. */
  private long seq;

  /**
   * An empty model. It follows ZooKeeper's rule, measured against a real server: the stat's cversion
   * counts child creates and deletes, while sequence suffixes count creates only.
   */
  TreeModel() {}

  TreeModel copy() {
    TreeModel m = new TreeModel();
    nodes.forEach((path, node) -> m.nodes.put(path, node.copy()));
    m.seq = seq;
    m.changes.addAll(changes);
    return m;
  }

  Node get(String path) {
    return nodes.get(path);
  }

  Map<String, Node> nodes() {
    return nodes;
  }

  /** The model's change counter: larger after every change. */
  long seq() {
    return seq;
  }

  /** The changes made since the last call, in order. */
  List<Change> drainChanges() {
    List<Change> drained = new ArrayList<>(changes);
    changes.clear();
    return drained;
  }

  List<String> childNames(String path) {
    List<String> names = new ArrayList<>();
    for (String candidate : nodes.keySet()) {
      if (!candidate.equals(Paths.ROOT) && Paths.parent(candidate).equals(path)) {
        names.add(Paths.name(candidate));
      }
    }
    return names;
  }

  private boolean exists(String path) {
    return path.equals(Paths.ROOT) || nodes.containsKey(path);
  }

  /** Applies a create the way ZooKeeper's server checks it; returns the path created. */
  String create(String requested, byte[] data, CreateMode mode, long sessionId) {
    String parentPath = Paths.parent(mode.isSequential() && requested.endsWith("/") ? requested + "x" : requested);
    if (!exists(parentPath)) {
      throw new Refused(ErrorCode.NO_NODE);
    }
    Node parent = nodes.get(parentPath);
    String path = mode.isSequential() ? Paths.withSequence(requested, parent == null ? 0 : parent.childCreates) : requested;
    if (exists(path)) {
      throw new Refused(ErrorCode.NODE_EXISTS);
    }
    if (parent != null && parent.owner != 0) {
      throw new Refused(ErrorCode.NO_CHILDREN_FOR_EPHEMERALS);
    }
    Node node = new Node(data, mode.isEphemeral() ? sessionId : 0);
    node.dataSeq = ++seq;
    node.childSeq = seq;
    nodes.put(path, node);
    if (parent != null) {
      parent.cversion++;
      parent.childCreates++;
      parent.pzxid = -1;
      parent.childSeq = seq;
    }
    changes.add(new Change(WatchEvent.Type.NODE_CREATED, path));
    changes.add(new Change(WatchEvent.Type.NODE_CHILDREN_CHANGED, parentPath));
    return path;
  }

  /** Applies a delete: NoNode, then BadVersion, then NotEmpty, as ZooKeeper checks them. */
  void delete(String path, int version) {
    Node node = require(path, version);
    if (!childNames(path).isEmpty()) {
      throw new Refused(ErrorCode.NOT_EMPTY);
    }
    remove(path);
  }

  Node setData(String path, byte[] data, int version) {
    Node node = require(path, version);
    node.data = data.clone();
    node.version++;
    node.mzxid = -1;
    node.dataSeq = ++seq;
    changes.add(new Change(WatchEvent.Type.NODE_DATA_CHANGED, path));
    return node;
  }

  void check(String path, int version) {
    require(path, version);
  }

  /** Removes every ephemeral of {@code sessionId}, as a close or an expiry does. */
  void removeEphemeralsOf(long sessionId) {
    List<String> owned = new ArrayList<>();
    nodes.forEach((path, node) -> {
      if (node.owner == sessionId) {
        owned.add(path);
      }
    });
    owned.forEach(this::remove);
  }

  private Node require(String path, int version) {
    Node node = nodes.get(path);
    if (node == null) {
      throw new Refused(ErrorCode.NO_NODE);
    }
    if (version != -1 && version != node.version) {
      throw new Refused(ErrorCode.BAD_VERSION);
    }
    return node;
  }

  private void remove(String path) {
    nodes.remove(path);
    seq++;
    Node parent = nodes.get(Paths.parent(path));
    if (parent != null) {
      parent.pzxid = -1;
      parent.childSeq = seq;
      parent.cversion++;
    }
    changes.add(new Change(WatchEvent.Type.NODE_DELETED, path));
    changes.add(new Change(WatchEvent.Type.NODE_CHILDREN_CHANGED, Paths.parent(path)));
  }
}
