package dev.cohort.inmemory.tree;

import dev.cohort.spi.Children;
import dev.cohort.spi.CoordinationBackend;
import dev.cohort.spi.CreateMode;
import dev.cohort.spi.ErrorCode;
import dev.cohort.spi.NodeData;
import dev.cohort.spi.Paths;
import dev.cohort.spi.Stat;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * The znode tree as a deterministic state machine: {@link #apply(Txn)} takes one transaction and
 * returns its {@link Outcome} and the {@link Change}s it made. Everything a transaction's result
 * depends on (zxid, time, session) is in the transaction, so two trees fed the same sequence end
 * equal (byte-for-byte equal {@link #snapshot()}s) and return equal results. The in-memory backend
 * applies transactions as they arrive; every replica of the replicated backend applies the committed
 * log.
 *
 * <h2>What it keeps</h2>
 * The nodes, the last applied zxid, the registered sessions with their ephemerals, and indexes of
 * container and TTL nodes for {@link #sweepCandidates(long)}. Watches are not here: the tree reports
 * changes and {@link WatchRegistry} maps them to watchers.
 *
 * <h2>Invariants</h2>
 * Every bad request is a {@link Outcome.Failed} that changed nothing; a {@link TxnOp.Multi} that
 * fails at op {@code i} is rolled back by replaying an undo log, so the tree is as before. Sequential
 * names come from the parent's count of child creates before the create, formatted {@code %010d};
 * the count is a signed 32-bit counter that wraps to {@link Integer#MIN_VALUE}. A child create or
 * delete sets the parent's pzxid; the reported cversion counts creates and deletes, while the
 * sequence suffix counts creates only, as a real ZooKeeper 3.9 server does (see {@code Node#stat}).
 * The root, {@code /zookeeper} and its system children {@code config} and {@code quota} always
 * exist; nothing in the {@code /zookeeper} subtree can be created, changed or deleted.
 *
 * <p>Not thread-safe and deliberately free of threads, clocks and locks: the owner serializes
 * access.
 */
public final class DataTree {

  private static final int SNAPSHOT_MAGIC = 0x434f4854; // "COHT"
  private static final int SNAPSHOT_FORMAT = 1;

  /** The children ZooKeeper keeps under {@code /zookeeper}. */
  public static final List<String> SYSTEM_CHILDREN = List.of("config", "quota");

  private final int maxDataBytes;
  private final Node root;
  private long lastZxid;
  /** Session id to its timeout in milliseconds. */
  private final Map<Long, Long> sessions = new HashMap<>();
  /** Session id to the paths of its ephemerals. */
  private final Map<Long, Set<String>> ephemerals = new HashMap<>();
  private final Set<String> containers = new HashSet<>();
  private final Set<String> ttlNodes = new HashSet<>();
  private int nodeCount;
  /**
   * Bumped whenever a node leaves the tree. A node, once attached, stays at its one path until it
   * leaves, so a lookup cached while this count was the same is still right.
   */
  private long removals;
  /**
   * A few recent {@link #find} results, direct-mapped by the path's hash: writes look up the same
   * paths again and again (the parent of sequential creates, a session's receipt slot), and a
   * cached lookup spares the walk's substring and hash per segment.
   */
  private final String[] foundPaths = new String[FOUND_CACHE_SIZE];
  private final Node[] foundNodes = new Node[FOUND_CACHE_SIZE];
  private final long[] foundAtRemovals = new long[FOUND_CACHE_SIZE];
  private static final int FOUND_CACHE_SIZE = 8; // a power of two

  /** An empty tree (the root and {@code /zookeeper}) with the default data limit. */
  public DataTree() {
    this(CoordinationBackend.DEFAULT_MAX_DATA_BYTES);
  }

  /** An empty tree whose nodes may hold at most {@code maxDataBytes} bytes each. */
  public DataTree(int maxDataBytes) {
    if (maxDataBytes < 0) {
      throw new IllegalArgumentException("maxDataBytes must not be negative: " + maxDataBytes);
    }
    this.maxDataBytes = maxDataBytes;
    this.root = new Node(Node.EMPTY, 0, 0, 0);
    // As a ZooKeeper 3.9 server: /zookeeper with its system children config and quota, every stat
    // field 0 (ZooKeeperEdgeOracleTest; the reported cversion of /zookeeper, -2, follows from Node#stat).
    Node reserved = new Node(Node.EMPTY, 0, 0, 0);
    root.putChild(Paths.name(Paths.RESERVED), reserved);
    for (String system : SYSTEM_CHILDREN) {
      reserved.putChild(system, new Node(Node.EMPTY, 0, 0, 0));
    }
    nodeCount = 2 + SYSTEM_CHILDREN.size();
  }

  /** The data limit in bytes. */
  public int maxDataBytes() {
    return maxDataBytes;
  }

  /** The zxid of the last transaction applied (successful or not); 0 for a new tree. */
  public long lastZxid() {
    return lastZxid;
  }

  /** The number of nodes, the root and {@code /zookeeper} included. */
  public int nodeCount() {
    return nodeCount;
  }

  // ---------------------------------------------------------------------------------------------
  // Reads. Paths must be valid (Paths.validate); reads change nothing.

  /** The node's stat, or null if it does not exist. */
  public Stat stat(String path) {
    Node node = walk(path);
    return node == null ? null : node.stat();
  }

  /** A copy of the node's data with its stat, or null if it does not exist. */
  public NodeData getData(String path) {
    Node node = walk(path);
    return node == null ? null : new NodeData(node.data.clone(), node.stat());
  }

  /** The node's child names (in no promised order) with its stat, or null if it does not exist. */
  public Children getChildren(String path) {
    Node node = walk(path);
    if (node == null) {
      return null;
    }
    List<String> names = node.children == null ? List.of() : new ArrayList<>(node.children.keySet());
    return new Children(names, node.stat());
  }

  /** Whether {@code sessionId} is registered (created and not yet closed). */
  public boolean hasSession(long sessionId) {
    return sessions.containsKey(sessionId);
  }

  /** The registered sessions: id to timeout in milliseconds, sorted by id. */
  public Map<Long, Long> sessions() {
    return Collections.unmodifiableMap(new TreeMap<>(sessions));
  }

  /** The paths of the session's ephemeral nodes, sorted. */
  public List<String> ephemerals(long sessionId) {
    Set<String> paths = ephemerals.get(sessionId);
    if (paths == null) {
      return List.of();
    }
    List<String> sorted = new ArrayList<>(paths);
    Collections.sort(sorted);
    return sorted;
  }

  /**
   * The containers and TTL nodes a {@link TxnOp.Sweep} at {@code nowMillis} would delete, sorted:
   * empty containers that had a child once, and childless TTL nodes unmodified for longer than
   * their TTL.
   */
  public List<String> sweepCandidates(long nowMillis) {
    List<String> due = new ArrayList<>();
    for (String path : containers) {
      if (isSweepable(walk(path), nowMillis)) {
        due.add(path);
      }
    }
    for (String path : ttlNodes) {
      if (isSweepable(walk(path), nowMillis)) {
        due.add(path);
      }
    }
    Collections.sort(due);
    return due;
  }

  /** Whether any container or TTL node exists (so a backend knows whether to schedule sweeps). */
  public boolean hasSweepableKinds() {
    return !containers.isEmpty() || !ttlNodes.isEmpty();
  }

  private static boolean isSweepable(Node node, long nowMillis) {
    if (node == null || node.childCount() != 0) {
      return false;
    }
    long kind = node.kind();
    if (kind == SpecialNode.CONTAINER) {
      return node.cversion != 0;
    }
    return kind > 0 && nowMillis - node.mtime > kind;
  }

  // ---------------------------------------------------------------------------------------------
  // Apply.

  /**
   * Applies one transaction.
   *
   * @throws IllegalArgumentException if {@code txn.zxid()} is not larger than {@link #lastZxid()}:
   *     a bug of the caller, not a property of the request
   */
  public ApplyResult apply(Txn txn) {
    return apply(txn, false);
  }

  /**
   * {@link #apply(Txn)}, for a caller that has already refused every invalid path of the
   * transaction's ops ({@code pathsChecked}): with {@link RequestChecks}, which checks each path
   * as this tree would (the last segment of a sequential create's as a prefix). The tree then does
   * not scan the same paths again; every other check and the outcome are the same. A backend whose
   * requests reach the tree from elsewhere (a replicated log) uses {@link #apply(Txn)}.
   *
   * @throws IllegalArgumentException if {@code txn.zxid()} is not larger than {@link #lastZxid()}
   */
  public ApplyResult apply(Txn txn, boolean pathsChecked) {
    if (txn.zxid() <= lastZxid) {
      throw new IllegalArgumentException("zxid " + txn.zxid() + " is not after " + lastZxid);
    }
    lastZxid = txn.zxid();
    TxnOp op = txn.op();
    // A create reports two changes, a setData one: sized so that a multi's list never grows.
    List<Change> changes = new ArrayList<>(op instanceof TxnOp.Multi m ? 2 * m.ops().size() : 2);
    Outcome outcome;
    if (op instanceof TxnOp.Multi multi) {
      outcome = applyMulti(txn, multi, changes, pathsChecked);
    } else if (op instanceof TxnOp.CreateSession create) {
      outcome = createSession(txn.sessionId(), create.timeoutMillis());
    } else if (op instanceof TxnOp.CloseSession) {
      outcome = closeSession(txn, changes);
    } else if (op instanceof TxnOp.Sweep sweep) {
      outcome = sweep(txn, sweep, changes);
    } else {
      outcome = applyOne(txn, op, changes, null, pathsChecked);
    }
    if (!outcome.isSuccess()) {
      changes.clear();
    }
    return new ApplyResult(outcome, changes);
  }

  /**
   * Applies one op. {@code pathChecked}: the op's path is known to be valid (checked by the caller,
   * or by {@link #refuseWhole} for every op of a multi before any is applied): not checked again.
   */
  private Outcome applyOne(Txn txn, TxnOp op, List<Change> changes, ArrayDeque<Runnable> undo, boolean pathChecked) {
    if (op instanceof TxnOp.CreateNode create) {
      return create(txn, create, changes, undo, pathChecked);
    } else if (op instanceof TxnOp.DeleteNode delete) {
      return delete(txn, delete, changes, undo, pathChecked);
    } else if (op instanceof TxnOp.SetData set) {
      return setData(txn, set, changes, undo, pathChecked);
    } else if (op instanceof TxnOp.Check check) {
      return check(check, pathChecked);
    }
    return fail(ErrorCode.BAD_ARGUMENTS, null, op.getClass().getSimpleName() + " is not allowed in a multi");
  }

  private Outcome applyMulti(Txn txn, TxnOp.Multi multi, List<Change> changes, boolean pathsChecked) {
    if (multi.ops().isEmpty()) {
      return fail(ErrorCode.BAD_ARGUMENTS, null, "empty multi");
    }
    List<TxnOp> ops = multi.ops();
    Outcome.Failed refused = refuseWhole(ops, pathsChecked);
    if (refused != null) {
      return refused;
    }
    int size = ops.size();
    ArrayDeque<Runnable> undo = new ArrayDeque<>(size);
    Outcome[] results = new Outcome[size];
    for (int i = 0; i < size; i++) {
      // The last op needs no undo: an op that fails has changed nothing, and after the last there
      // is nothing left to fail.
      Outcome outcome = applyOne(txn, ops.get(i), changes, i == size - 1 ? null : undo, true);
      if (outcome instanceof Outcome.Failed failed) {
        while (!undo.isEmpty()) {
          undo.pop().run();
        }
        return failed.atOp(i);
      }
      results[i] = outcome;
    }
    // List.of takes one- and two-element arrays without copying them, and MultiDone's List.copyOf
    // returns its unmodifiable lists as they are.
    return new Outcome.MultiDone(List.of(results));
  }

  /**
   * What refuses a multi before any op is applied, as ZooKeeper does: an invalid path in any op
   * (its client validates every op before sending), then more data than the limit in all the ops
   * together (its server refuses the request whole). Null if neither. {@code pathsChecked}: the
   * caller has refused invalid paths already.
   */
  private Outcome.Failed refuseWhole(List<TxnOp> ops, boolean pathsChecked) {
    for (int i = 0; !pathsChecked && i < ops.size(); i++) {
      TxnOp op = ops.get(i);
      String path = op instanceof TxnOp.CreateNode c ? c.path() : op instanceof TxnOp.DeleteNode d ? d.path()
          : op instanceof TxnOp.SetData sd ? sd.path() : op instanceof TxnOp.Check k ? k.path() : null;
      boolean sequential = op instanceof TxnOp.CreateNode c && c.mode().isSequential();
      String problem = path == null ? null : Paths.problem(path, sequential);
      if (problem != null) {
        return fail(ErrorCode.INVALID_PATH, path, problem).atOp(i);
      }
    }
    long total = 0;
    for (int i = 0; i < ops.size(); i++) {
      TxnOp op = ops.get(i);
      total += op instanceof TxnOp.CreateNode c ? c.data().length : op instanceof TxnOp.SetData sd ? sd.data().length : 0;
      if (total > maxDataBytes) {
        String path = op instanceof TxnOp.CreateNode c ? c.path() : ((TxnOp.SetData) op).path();
        return fail(ErrorCode.DATA_TOO_LARGE, path, "the ops of the multi carry " + total
            + " bytes or more, more than the limit of " + maxDataBytes + " bytes for a whole multi").atOp(i);
      }
    }
    return null;
  }

  private Outcome create(Txn txn, TxnOp.CreateNode c, List<Change> changes, ArrayDeque<Runnable> undo,
      boolean pathChecked) {
    String path = c.path();
    CreateMode mode = c.mode();
    boolean sequential = mode.isSequential();
    String problem = pathChecked ? null : Paths.problem(path, sequential);
    if (problem != null) {
      return fail(ErrorCode.INVALID_PATH, path, problem);
    }
    if (c.data().length > maxDataBytes) {
      return tooLarge(path, c.data().length);
    }
    if (mode.isTtl() ? c.ttlMillis() <= 0 : c.ttlMillis() != 0) {
      return fail(ErrorCode.BAD_ARGUMENTS, path, mode.isTtl() ? "a TTL node needs a positive TTL" : "only TTL modes take a TTL");
    }
    if (path.equals(Paths.ROOT) && !sequential) {
      return fail(ErrorCode.NODE_EXISTS, path, null);
    }
    int slash = path.lastIndexOf('/');
    String parentPath = slash == 0 ? Paths.ROOT : path.substring(0, slash);
    if (isReserved(parentPath)) {
      return fail(ErrorCode.BAD_ARGUMENTS, path, "the /zookeeper subtree is reserved");
    }
    Node parent = find(parentPath);
    if (parent == null) {
      return fail(ErrorCode.NO_NODE, path, "parent " + parentPath + " does not exist");
    }
    if (parent.ephemeralOwner != 0) {
      return fail(ErrorCode.NO_CHILDREN_FOR_EPHEMERALS, path, "parent " + parentPath + " is ephemeral");
    }
    long owner = 0;
    if (mode.isEphemeral()) {
      if (!sessions.containsKey(txn.sessionId())) {
        return fail(ErrorCode.SESSION_EXPIRED, path, "session 0x" + Long.toHexString(txn.sessionId()) + " is not live");
      }
      owner = txn.sessionId();
    }
    // A sequential node's path is the requested one with the suffix: built once, its name cut from it.
    String fullPath = sequential ? path + sequenceSuffix(parent.cversion) : path;
    String name = fullPath.substring(slash + 1);
    if (parent.child(name) != null) {
      return fail(ErrorCode.NODE_EXISTS, fullPath, null);
    }
    long kind = mode.isContainer() ? SpecialNode.CONTAINER : c.ttlMillis();
    Node node = kind == 0
        ? new Node(c.data(), txn.zxid(), txn.timeMillis(), owner)
        : new SpecialNode(c.data(), txn.zxid(), txn.timeMillis(), kind);
    attach(parent, parentPath, name, fullPath, node, txn.zxid(), changes, undo);
    return new Outcome.Created(fullPath, node.stat());
  }

  private void attach(Node parent, String parentPath, String name, String path, Node node, long zxid,
      List<Change> changes, ArrayDeque<Runnable> undo) {
    int oldCversion = parent.cversion;
    long oldPzxid = parent.pzxid;
    parent.putChild(name, node);
    parent.cversion++;
    parent.pzxid = zxid;
    index(path, node);
    changes.add(new Change(dev.cohort.spi.WatchEvent.Type.NODE_CREATED, path));
    changes.add(new Change(dev.cohort.spi.WatchEvent.Type.NODE_CHILDREN_CHANGED, parentPath));
    if (undo != null) {
      undo.push(() -> {
        removeChild(parent, name);
        parent.cversion = oldCversion;
        parent.pzxid = oldPzxid;
        unindex(path, node);
      });
    }
  }

  private Outcome delete(Txn txn, TxnOp.DeleteNode d, List<Change> changes, ArrayDeque<Runnable> undo,
      boolean pathChecked) {
    String path = d.path();
    String problem = pathChecked ? null : Paths.problem(path, false);
    if (problem != null) {
      return fail(ErrorCode.INVALID_PATH, path, problem);
    }
    if (Paths.isProtected(path)) {
      return fail(ErrorCode.BAD_ARGUMENTS, path, "the root and the /zookeeper subtree cannot be deleted");
    }
    String parentPath = Paths.parent(path);
    Node parent = find(parentPath);
    String name = Paths.name(path);
    Node node = parent == null ? null : parent.child(name);
    if (node == null) {
      return fail(ErrorCode.NO_NODE, path, null);
    }
    if (d.version() != -1 && d.version() != node.version) {
      return fail(ErrorCode.BAD_VERSION, path, "expected version " + d.version() + ", node has " + node.version);
    }
    if (node.childCount() != 0) {
      return fail(ErrorCode.NOT_EMPTY, path, node.childCount() + " children");
    }
    detach(parent, parentPath, name, path, node, txn.zxid(), changes, undo);
    return new Outcome.Deleted();
  }

  private void detach(Node parent, String parentPath, String name, String path, Node node, long zxid,
      List<Change> changes, ArrayDeque<Runnable> undo) {
    // The stored counter counts creates only (the sequence suffix); the reported cversion adds the
    // deletes, derived from the child count in Node#stat, as the ZooKeeper server reports it.
    long oldPzxid = parent.pzxid;
    removeChild(parent, name);
    parent.pzxid = zxid;
    unindex(path, node);
    changes.add(new Change(dev.cohort.spi.WatchEvent.Type.NODE_DELETED, path));
    changes.add(new Change(dev.cohort.spi.WatchEvent.Type.NODE_CHILDREN_CHANGED, parentPath));
    if (undo != null) {
      undo.push(() -> {
        parent.putChild(name, node);
        parent.pzxid = oldPzxid;
        index(path, node);
      });
    }
  }

  private Outcome setData(Txn txn, TxnOp.SetData s, List<Change> changes, ArrayDeque<Runnable> undo,
      boolean pathChecked) {
    String path = s.path();
    String problem = pathChecked ? null : Paths.problem(path, false);
    if (problem != null) {
      return fail(ErrorCode.INVALID_PATH, path, problem);
    }
    if (s.data().length > maxDataBytes) {
      return tooLarge(path, s.data().length);
    }
    if (isReserved(path)) {
      return fail(ErrorCode.BAD_ARGUMENTS, path, "the /zookeeper subtree is reserved");
    }
    Node node = find(path);
    if (node == null) {
      return fail(ErrorCode.NO_NODE, path, null);
    }
    if (s.version() != -1 && s.version() != node.version) {
      return fail(ErrorCode.BAD_VERSION, path, "expected version " + s.version() + ", node has " + node.version);
    }
    byte[] oldData = node.data;
    int oldVersion = node.version;
    long oldMzxid = node.mzxid;
    long oldMtime = node.mtime;
    node.data = s.data().length == 0 ? Node.EMPTY : s.data();
    node.version++;
    node.mzxid = txn.zxid();
    node.mtime = txn.timeMillis();
    changes.add(new Change(dev.cohort.spi.WatchEvent.Type.NODE_DATA_CHANGED, path));
    if (undo != null) {
      undo.push(() -> {
        node.data = oldData;
        node.version = oldVersion;
        node.mzxid = oldMzxid;
        node.mtime = oldMtime;
      });
    }
    return new Outcome.DataSet(node.stat());
  }

  private Outcome check(TxnOp.Check c, boolean pathChecked) {
    String problem = pathChecked ? null : Paths.problem(c.path(), false);
    if (problem != null) {
      return fail(ErrorCode.INVALID_PATH, c.path(), problem);
    }
    Node node = find(c.path());
    if (node == null) {
      return fail(ErrorCode.NO_NODE, c.path(), null);
    }
    if (c.version() != -1 && c.version() != node.version) {
      return fail(ErrorCode.BAD_VERSION, c.path(), "expected version " + c.version() + ", node has " + node.version);
    }
    return new Outcome.Checked();
  }

  private Outcome createSession(long sessionId, long timeoutMillis) {
    if (sessionId == 0 || sessions.containsKey(sessionId)) {
      return fail(ErrorCode.BAD_ARGUMENTS, null, "session id 0x" + Long.toHexString(sessionId) + " is 0 or in use");
    }
    sessions.put(sessionId, timeoutMillis);
    return new Outcome.SessionCreated();
  }

  private Outcome closeSession(Txn txn, List<Change> changes) {
    long sessionId = txn.sessionId();
    if (sessions.remove(sessionId) == null) {
      return fail(ErrorCode.SESSION_EXPIRED, null, "session 0x" + Long.toHexString(sessionId) + " is not live");
    }
    List<String> paths = ephemerals(sessionId);
    for (String path : paths) {
      removeUnconditionally(path, txn.zxid(), changes);
    }
    ephemerals.remove(sessionId);
    return new Outcome.SessionClosed(paths);
  }

  private Outcome sweep(Txn txn, TxnOp.Sweep sweep, List<Change> changes) {
    List<String> deleted = new ArrayList<>();
    for (String path : sweep.paths()) {
      if (Paths.isValid(path) && !Paths.isProtected(path) && isSweepable(walk(path), txn.timeMillis())) {
        removeUnconditionally(path, txn.zxid(), changes);
        deleted.add(path);
      }
    }
    return new Outcome.Swept(deleted);
  }

  private void removeUnconditionally(String path, long zxid, List<Change> changes) {
    String parentPath = Paths.parent(path);
    Node parent = find(parentPath);
    String name = Paths.name(path);
    detach(parent, parentPath, name, path, parent.child(name), zxid, changes, null);
  }

  // ---------------------------------------------------------------------------------------------
  // Helpers.

  /**
   * The node at a valid path, or null, for a write: walks from the root (the tree keeps no path
   * index) unless the path was found recently and no node has left the tree since. Reads walk
   * ({@link #walk}): they are spread over many paths, where the cache would only miss.
   */
  Node find(String path) {
    int slot = path.hashCode() & (FOUND_CACHE_SIZE - 1);
    String cached = foundPaths[slot];
    if (cached != null && foundAtRemovals[slot] == removals && (cached == path || cached.equals(path))) {
      return foundNodes[slot];
    }
    Node node = walk(path);
    if (node != null) {
      foundPaths[slot] = path;
      foundNodes[slot] = node;
      foundAtRemovals[slot] = removals;
    }
    return node;
  }

  /** Removes a child; every removal goes through here, so that no cached lookup outlives it. */
  private void removeChild(Node parent, String name) {
    parent.removeChild(name);
    removals++;
  }

  /** The node at a valid path, or null, walking from the root. */
  private Node walk(String path) {
    Node node = root;
    int length = path.length();
    int start = 1;
    while (start < length) {
      int slash = path.indexOf('/', start);
      int end = slash < 0 ? length : slash;
      node = node.child(path.substring(start, end));
      if (node == null) {
        return null;
      }
      start = end + 1;
    }
    return node;
  }

  private void index(String path, Node node) {
    nodeCount++;
    if (node.ephemeralOwner != 0) {
      ephemerals.computeIfAbsent(node.ephemeralOwner, id -> new HashSet<>()).add(path);
    }
    long kind = node.kind();
    if (kind == SpecialNode.CONTAINER) {
      containers.add(path);
    } else if (kind > 0) {
      ttlNodes.add(path);
    }
  }

  private void unindex(String path, Node node) {
    nodeCount--;
    if (node.ephemeralOwner != 0) {
      Set<String> owned = ephemerals.get(node.ephemeralOwner);
      if (owned != null) {
        owned.remove(path);
        if (owned.isEmpty()) {
          ephemerals.remove(node.ephemeralOwner);
        }
      }
    }
    long kind = node.kind();
    if (kind == SpecialNode.CONTAINER) {
      containers.remove(path);
    } else if (kind > 0) {
      ttlNodes.remove(path);
    }
  }

  private static boolean isReserved(String path) {
    return path.equals(Paths.RESERVED) || path.startsWith(Paths.RESERVED + "/");
  }

  private Outcome.Failed tooLarge(String path, int length) {
    return fail(ErrorCode.DATA_TOO_LARGE, path, length + " bytes exceeds the limit of " + maxDataBytes);
  }

  private static Outcome.Failed fail(ErrorCode code, String path, String detail) {
    return new Outcome.Failed(code, path, -1, detail);
  }

  private static final String ZEROS = "0000000000";

  /** {@code String.format("%010d", counter)} without the cost of a formatter. */
  static String sequenceSuffix(int counter) {
    if (counter >= 0) {
      // On every sequential create: the ten digits straight into one array (a non-negative int
      // has at most ten), no intermediate strings.
      byte[] digits = new byte[Paths.SEQUENCE_DIGITS];
      for (int i = digits.length - 1, rest = counter; i >= 0; i--, rest /= 10) {
        digits[i] = (byte) ('0' + rest % 10);
      }
      return new String(digits, StandardCharsets.ISO_8859_1);
    }
    String digits = Integer.toString(counter);
    int pad = Paths.SEQUENCE_DIGITS - digits.length();
    if (pad <= 0) {
      return digits;
    }
    return counter >= 0
        ? ZEROS.substring(0, pad) + digits
        : "-" + ZEROS.substring(0, pad) + digits.substring(1);
  }

  /**
   * Sets a node's cversion directly. Only for tests of the sequence wrap, which would otherwise need
   * two billion creates.
   */
  void setChildVersionForTest(String path, int cversion) {
    find(path).cversion = cversion;
  }

  // ---------------------------------------------------------------------------------------------
  // Snapshot.

  /**
   * The whole state (nodes, last zxid, sessions) as bytes, canonical: children are written in
   * sorted order, so equal trees give equal bytes. {@link #restore} reads them back.
   */
  public byte[] snapshot() {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (DataOutputStream out = new DataOutputStream(bytes)) {
      out.writeInt(SNAPSHOT_MAGIC);
      out.writeInt(SNAPSHOT_FORMAT);
      out.writeLong(lastZxid);
      Map<Long, Long> sorted = sessions();
      out.writeInt(sorted.size());
      for (Map.Entry<Long, Long> session : sorted.entrySet()) {
        out.writeLong(session.getKey());
        out.writeLong(session.getValue());
      }
      writeNode(out, root);
    } catch (IOException e) {
      throw new UncheckedIOException(e); // a ByteArrayOutputStream does not fail
    }
    return bytes.toByteArray();
  }

  private static void writeNode(DataOutputStream out, Node node) throws IOException {
    out.writeInt(node.data.length);
    out.write(node.data);
    out.writeLong(node.czxid);
    out.writeLong(node.mzxid);
    out.writeLong(node.pzxid);
    out.writeLong(node.ctime);
    out.writeLong(node.mtime);
    out.writeLong(node.ephemeralOwner);
    out.writeLong(node.kind());
    out.writeInt(node.version);
    out.writeInt(node.cversion);
    List<String> names = node.children == null ? new ArrayList<>() : new ArrayList<>(node.children.keySet());
    Collections.sort(names);
    out.writeInt(names.size());
    for (String name : names) {
      byte[] utf8 = name.getBytes(StandardCharsets.UTF_8);
      out.writeInt(utf8.length);
      out.write(utf8);
      writeNode(out, node.children.get(name));
    }
  }

  /** A tree with the state of {@code snapshot} and the default data limit. */
  public static DataTree restore(byte[] snapshot) {
    return restore(snapshot, CoordinationBackend.DEFAULT_MAX_DATA_BYTES);
  }

  /**
   * A tree with the state of {@code snapshot}.
   *
   * @throws IllegalArgumentException if the bytes are not a snapshot of this format
   */
  public static DataTree restore(byte[] snapshot, int maxDataBytes) {
    DataTree tree = new DataTree(maxDataBytes);
    try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(snapshot))) {
      if (in.readInt() != SNAPSHOT_MAGIC || in.readInt() != SNAPSHOT_FORMAT) {
        throw new IllegalArgumentException("not a DataTree snapshot of format " + SNAPSHOT_FORMAT);
      }
      tree.lastZxid = in.readLong();
      int sessionCount = in.readInt();
      for (int i = 0; i < sessionCount; i++) {
        tree.sessions.put(in.readLong(), in.readLong());
      }
      Node root = readNode(in, tree, Paths.ROOT);
      tree.root.children = root.children;
      tree.removals++; // the tree's nodes were replaced: nothing found before holds
      copyStat(root, tree.root);
      tree.nodeCount = countNodes(tree.root);
      if (in.read() != -1) {
        throw new IllegalArgumentException("trailing bytes after the snapshot");
      }
    } catch (IOException e) {
      throw new IllegalArgumentException("truncated or corrupt DataTree snapshot", e);
    }
    return tree;
  }

  /** Reads one node record and, depth first, its children, indexing each child under its path. */
  private static Node readNode(DataInputStream in, DataTree tree, String path) throws IOException {
    byte[] data = new byte[in.readInt()];
    in.readFully(data);
    long czxid = in.readLong();
    long mzxid = in.readLong();
    long pzxid = in.readLong();
    long ctime = in.readLong();
    long mtime = in.readLong();
    long owner = in.readLong();
    long kind = in.readLong();
    Node node = kind == 0 ? new Node(data, czxid, ctime, owner) : new SpecialNode(data, czxid, ctime, kind);
    node.mzxid = mzxid;
    node.pzxid = pzxid;
    node.mtime = mtime;
    node.version = in.readInt();
    node.cversion = in.readInt();
    int childCount = in.readInt();
    for (int i = 0; i < childCount; i++) {
      byte[] utf8 = new byte[in.readInt()];
      in.readFully(utf8);
      String name = new String(utf8, StandardCharsets.UTF_8);
      String childPath = Paths.join(path, name);
      Node child = readNode(in, tree, childPath);
      node.putChild(name, child);
      tree.index(childPath, child);
    }
    return node;
  }

  private static void copyStat(Node from, Node to) {
    to.data = from.data;
    to.czxid = from.czxid;
    to.mzxid = from.mzxid;
    to.pzxid = from.pzxid;
    to.ctime = from.ctime;
    to.mtime = from.mtime;
    to.version = from.version;
    to.cversion = from.cversion;
  }

  private static int countNodes(Node node) {
    int count = 1;
    if (node.children != null) {
      for (Node child : node.children.values()) {
        count += countNodes(child);
      }
    }
    return count;
  }
}
