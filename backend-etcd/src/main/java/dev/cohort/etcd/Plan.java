package dev.cohort.etcd;

import dev.cohort.spi.CoordinationException;
import dev.cohort.spi.CreateMode;
import dev.cohort.spi.ErrorCode;
import dev.cohort.spi.Op;
import dev.cohort.spi.OpResult;
import dev.cohort.spi.Paths;
import dev.cohort.spi.Stat;
import dev.cohort.spi.WatchEvent;
import io.etcd.jetcd.ByteSequence;
import io.etcd.jetcd.op.Cmp;
import io.etcd.jetcd.op.CmpTarget;
import io.etcd.jetcd.options.DeleteOption;
import io.etcd.jetcd.options.PutOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Decides a write (one op or a multi) the way a ZooKeeper server would, against nodes read at one
 * revision, and turns the outcome into one etcd transaction.
 *
 * <p>How it works: every op is applied in order to an overlay of the nodes it reads, with
 * ZooKeeper's checks in ZooKeeper's order. A failed check is the answer (the snapshot was a
 * linearizable read, so the failure is too). Otherwise the overlay's final state becomes one
 * transaction: <em>compares</em> that every key read still has the mod revision it was read at,
 * then the <em>writes</em>, one per key (ops that touch a key twice are folded into the last state).
 * If a compare fails, another write came between the read and the transaction: the caller reads
 * again and re-plans. A plan that needs a node it was not given (a sequential name, known only once
 * the parent's counter is read) asks for it by {@link NeedRead}.
 */
final class Plan {

  /** A node the plan must see before it can decide. */
  static final class NeedRead extends RuntimeException {
    final String path;

    NeedRead(String path) {
      super(null, null, false, false);
      this.path = path;
    }
  }

  /** A node as the ops so far leave it. Zxid fields of -1 mean "the revision of this transaction". */
  private static final class State {
    final String path;
    final NodeSnap snap;
    boolean exists;
    byte[] data;
    int version;
    long ctime;
    long mtime;
    long owner;
    int creates;
    long childCount;
    long czxid;
    long mzxid;
    long pzxid;
    boolean dataDirty;
    boolean metaDirty;
    boolean deletedHere;

    State(String path, NodeSnap snap) {
      this.path = path;
      this.snap = snap;
      this.exists = snap.exists();
      if (exists) {
        NodeValue v = snap.value();
        data = v.data();
        version = v.version();
        ctime = v.ctime();
        mtime = v.mtime();
        owner = snap.data().getLease();
        creates = snap.creates();
        childCount = snap.childCount();
        czxid = snap.czxid();
        mzxid = snap.data().getModRevision();
        pzxid = snap.pzxid();
      }
    }

    Stat stat(long revision) {
      return new Stat(z(czxid, revision), z(mzxid, revision), z(pzxid, revision), ctime, mtime, version,
          (int) (2 * creates - childCount), 0, owner, data.length, (int) childCount);
    }

    private static long z(long zxid, long revision) {
      return zxid == -1 ? revision : zxid;
    }
  }

  /** What a successful op returns, given the transaction's revision. */
  private interface Result {
    OpResult at(long revision);
  }

  private final Layout layout;
  private final Map<String, NodeSnap> snaps;
  private final long lease;
  private final long now;
  private final int maxDataBytes;
  private final Map<String, State> overlay = new LinkedHashMap<>();
  private final List<Result> results = new ArrayList<>();
  private final List<WatchEvent> changes = new ArrayList<>();

  Plan(Layout layout, Map<String, NodeSnap> snaps, long lease, long nowMillis, int maxDataBytes) {
    this.layout = layout;
    this.snaps = snaps;
    this.lease = lease;
    this.now = nowMillis;
    this.maxDataBytes = maxDataBytes;
  }

  /** The paths a plan of {@code ops} will read first (more may follow by {@link NeedRead}). */
  static Set<String> pathsToRead(List<Op> ops) {
    Set<String> paths = new LinkedHashSet<>();
    for (Op op : ops) {
      String path = op.path();
      boolean sequential = op instanceof Op.Create c && c.mode().isSequential();
      if (!sequential) {
        paths.add(path);
      }
      if (!path.equals(Paths.ROOT)) {
        paths.add(parentOf(path));
      }
    }
    return paths;
  }

  /** The parent of a path, the sequential prefix form ("/a/") included. */
  static String parentOf(String path) {
    int slash = path.lastIndexOf('/');
    return slash == 0 ? Paths.ROOT : path.substring(0, slash);
  }

  /**
   * Applies the ops; returns null on success, else the first failure (attributed to its op when
   * {@code multi}). Throws {@link NeedRead}.
   */
  CoordinationException apply(List<Op> ops, boolean multi) {
    for (int i = 0; i < ops.size(); i++) {
      CoordinationException failure = applyOne(ops.get(i));
      if (failure != null) {
        return multi ? failure.atOp(i) : failure;
      }
    }
    return null;
  }

  private State state(String path) {
    State s = overlay.get(path);
    if (s == null) {
      NodeSnap snap = snaps.get(path);
      if (snap == null) {
        throw new NeedRead(path);
      }
      s = new State(path, snap);
      overlay.put(path, s);
    }
    return s;
  }

  private CoordinationException applyOne(Op op) {
    if (op instanceof Op.Create c) {
      return create(c);
    } else if (op instanceof Op.Delete d) {
      return delete(d);
    } else if (op instanceof Op.SetData s) {
      return setData(s);
    } else if (op instanceof Op.Check k) {
      return check(k);
    }
    throw new IllegalArgumentException("not a write: " + op);
  }

  private CoordinationException create(Op.Create c) {
    String path = c.path();
    CreateMode mode = c.mode();
    byte[] data = c.data();
    if (data.length > maxDataBytes) {
      return tooLarge(path, data.length);
    }
    if (mode.isTtl() ? c.ttl() == null || c.ttl().isNegative() || c.ttl().isZero() : c.ttl() != null) {
      return CoordinationException.of(ErrorCode.BAD_ARGUMENTS, path,
          mode.isTtl() ? "a TTL node needs a positive TTL" : "only TTL modes take a TTL");
    }
    if (mode.isTtl() || mode.isContainer()) {
      return CoordinationException.of(ErrorCode.UNIMPLEMENTED, path, "the etcd backend has no " + mode + " nodes");
    }
    if (path.equals(Paths.ROOT) && !mode.isSequential()) {
      return CoordinationException.of(ErrorCode.NODE_EXISTS, path);
    }
    String parentPath = parentOf(path);
    if (isReserved(parentPath)) {
      return CoordinationException.of(ErrorCode.BAD_ARGUMENTS, path, "the /zookeeper subtree is reserved");
    }
    State parent = state(parentPath);
    if (!parent.exists) {
      return CoordinationException.of(ErrorCode.NO_NODE, path, "parent " + parentPath + " does not exist");
    }
    if (parent.owner != 0) {
      return CoordinationException.of(ErrorCode.NO_CHILDREN_FOR_EPHEMERALS, path, "parent " + parentPath + " is ephemeral");
    }
    String fullPath = mode.isSequential() ? Paths.withSequence(path, parent.creates) : path;
    State node = state(fullPath);
    if (node.exists) {
      return CoordinationException.of(ErrorCode.NODE_EXISTS, fullPath);
    }
    node.exists = true;
    node.data = data;
    node.version = 0;
    node.ctime = now;
    node.mtime = now;
    node.owner = mode.isEphemeral() ? lease : 0;
    node.creates = 0;
    node.childCount = 0;
    node.czxid = -1;
    node.mzxid = -1;
    node.pzxid = -1;
    node.dataDirty = true;
    node.metaDirty = !mode.isEphemeral();
    parent.creates++;
    parent.childCount++;
    parent.pzxid = -1;
    parent.metaDirty = true;
    Stat stat = node.stat(-1);
    results.add(rev -> new OpResult.CreateResult(fullPath));
    createdStats.put(results.size() - 1, stat);
    changes.add(new WatchEvent(WatchEvent.Type.NODE_CREATED, fullPath));
    changes.add(new WatchEvent(WatchEvent.Type.NODE_CHILDREN_CHANGED, parentPath));
    return null;
  }

  /** The stat of each created node at its op, for {@link #createdStat}. */
  private final Map<Integer, Stat> createdStats = new LinkedHashMap<>();

  /** The stat of the node created by op {@code index}, with this transaction's zxids filled in. */
  Stat createdStat(int index, long revision) {
    Stat s = createdStats.get(index);
    return new Stat(revision, revision, revision, s.ctime(), s.mtime(), s.version(), s.cversion(), 0,
        s.ephemeralOwner(), s.dataLength(), s.numChildren());
  }

  private CoordinationException delete(Op.Delete d) {
    String path = d.path();
    if (Paths.isProtected(path)) {
      return CoordinationException.of(ErrorCode.BAD_ARGUMENTS, path, "the root and the /zookeeper subtree cannot be deleted");
    }
    State parent = state(parentOf(path));
    State node = state(path);
    if (!node.exists) {
      return CoordinationException.of(ErrorCode.NO_NODE, path);
    }
    if (d.version() != -1 && d.version() != node.version) {
      return CoordinationException.of(ErrorCode.BAD_VERSION, path, "expected version " + d.version() + ", node has " + node.version);
    }
    if (node.childCount != 0) {
      return CoordinationException.of(ErrorCode.NOT_EMPTY, path, node.childCount + " children");
    }
    node.exists = false;
    node.deletedHere = true;
    parent.childCount--;
    parent.pzxid = -1;
    parent.metaDirty = true;
    results.add(rev -> new OpResult.DeleteResult());
    changes.add(new WatchEvent(WatchEvent.Type.NODE_DELETED, path));
    changes.add(new WatchEvent(WatchEvent.Type.NODE_CHILDREN_CHANGED, parentOf(path)));
    return null;
  }

  private CoordinationException setData(Op.SetData s) {
    String path = s.path();
    byte[] data = s.data();
    if (data.length > maxDataBytes) {
      return tooLarge(path, data.length);
    }
    if (isReserved(path)) {
      return CoordinationException.of(ErrorCode.BAD_ARGUMENTS, path, "the /zookeeper subtree is reserved");
    }
    State node = state(path);
    if (!node.exists) {
      return CoordinationException.of(ErrorCode.NO_NODE, path);
    }
    if (s.version() != -1 && s.version() != node.version) {
      return CoordinationException.of(ErrorCode.BAD_VERSION, path, "expected version " + s.version() + ", node has " + node.version);
    }
    node.data = data;
    node.version++;
    node.mzxid = -1;
    node.mtime = now;
    node.dataDirty = true;
    Stat stat = node.stat(-1);
    results.add(rev -> new OpResult.SetDataResult(withRevision(stat, rev)));
    changes.add(new WatchEvent(WatchEvent.Type.NODE_DATA_CHANGED, path));
    return null;
  }

  private CoordinationException check(Op.Check k) {
    State node = state(k.path());
    if (!node.exists) {
      return CoordinationException.of(ErrorCode.NO_NODE, k.path());
    }
    if (k.version() != -1 && k.version() != node.version) {
      return CoordinationException.of(ErrorCode.BAD_VERSION, k.path(), "expected version " + k.version() + ", node has " + node.version);
    }
    results.add(rev -> new OpResult.CheckResult());
    return null;
  }

  private static Stat withRevision(Stat s, long revision) {
    return new Stat(s.czxid() == -1 ? revision : s.czxid(), s.mzxid() == -1 ? revision : s.mzxid(),
        s.pzxid() == -1 ? revision : s.pzxid(), s.ctime(), s.mtime(), s.version(), s.cversion(), s.aversion(),
        s.ephemeralOwner(), s.dataLength(), s.numChildren());
  }

  private CoordinationException tooLarge(String path, int length) {
    return CoordinationException.of(ErrorCode.DATA_TOO_LARGE, path,
        length + " bytes, more than the limit of " + maxDataBytes + " bytes");
  }

  static boolean isReserved(String path) {
    return path.equals(Paths.RESERVED) || path.startsWith(Paths.RESERVED + "/");
  }

  // ------------------------------------------------------------------ the transaction

  /** The compares: every key read still stands as it was read. */
  List<Cmp> compares() {
    List<Cmp> cmps = new ArrayList<>();
    for (State s : overlay.values()) {
      cmps.add(new Cmp(layout.dataKey(s.path), Cmp.Op.EQUAL, CmpTarget.modRevision(s.snap.dataModRevision())));
      cmps.add(new Cmp(layout.metaKey(s.path), Cmp.Op.EQUAL, CmpTarget.modRevision(s.snap.metaModRevision())));
    }
    return cmps;
  }

  /** The writes, one per key. */
  List<io.etcd.jetcd.op.Op> writes() {
    List<io.etcd.jetcd.op.Op> ops = new ArrayList<>();
    for (State s : overlay.values()) {
      boolean existed = s.snap.exists();
      if (existed && !s.exists) {
        ops.add(io.etcd.jetcd.op.Op.delete(layout.dataKey(s.path), DeleteOption.DEFAULT));
        if (s.snap.meta() != null) {
          ops.add(io.etcd.jetcd.op.Op.delete(layout.metaKey(s.path), DeleteOption.DEFAULT));
        }
        continue;
      }
      if (!s.exists) {
        continue;
      }
      if (s.dataDirty) {
        PutOption put = s.owner == 0 ? PutOption.DEFAULT : PutOption.builder().withLeaseId(s.owner).build();
        // etcd allows one write per key per transaction, and a put over a live key keeps its create
        // revision: a node deleted and created again here says in its value that it was born now.
        long czxid = s.czxid == -1
            ? (existed ? NodeValue.CZXID_OF_THIS_PUT : NodeValue.CZXID_OF_KEY)
            : (s.czxid == s.snap.data().getCreateRevision() ? NodeValue.CZXID_OF_KEY : s.czxid);
        ByteSequence value = ByteSequence.from(new NodeValue(s.version, s.ctime, s.mtime, czxid, s.data).encode());
        ops.add(io.etcd.jetcd.op.Op.put(layout.dataKey(s.path), value, put));
      }
      if (s.owner != 0 && s.snap.meta() != null) {
        ops.add(io.etcd.jetcd.op.Op.delete(layout.metaKey(s.path), DeleteOption.DEFAULT));
      } else if (s.metaDirty) {
        ops.add(io.etcd.jetcd.op.Op.put(layout.metaKey(s.path), ByteSequence.from(NodeValue.encodeCounter(s.creates)),
            PutOption.DEFAULT));
      }
    }
    if (lease != 0) {
      ops.add(io.etcd.jetcd.op.Op.put(layout.sessionKey(lease), ByteSequence.EMPTY,
          PutOption.builder().withLeaseId(lease).build()));
    }
    return ops;
  }

  /** Whether the ops change anything (a multi of checks only writes nothing but the session key). */
  List<OpResult> results(long revision) {
    List<OpResult> out = new ArrayList<>(results.size());
    for (Result r : results) {
      out.add(r.at(revision));
    }
    return out;
  }

  /** The watch events the transaction causes, in op order. */
  List<WatchEvent> changes() {
    return changes;
  }
}
