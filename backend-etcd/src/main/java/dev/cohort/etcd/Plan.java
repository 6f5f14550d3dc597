package dev.cohort.etcd;

import dev.cohort.spi.CoordinationException;
import dev.cohort.spi.CreateMode;
import dev.cohort.spi.ErrorCode;
import dev.cohort.spi.Op;
import dev.cohort.spi.OpResult;
import dev.cohort.spi.Paths;
import dev.cohort.spi.Stat;
import dev.cohort.spi.WatchEvent;
import com.google.protobuf.ByteString;
import io.etcd.jetcd.ByteSequence;
import io.etcd.jetcd.KeyValue;
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
import java.util.function.Function;

/**
 * Decides a write (one op or a multi) the way a ZooKeeper server would, against snapshots of the
 * nodes it touches, and turns the outcome into one etcd transaction.
 *
 * <p>How it works: every op is applied in order to an overlay of the nodes it consults, with
 * ZooKeeper's checks in ZooKeeper's order. The snapshots come from a lookup: a fresh read, or what
 * the session last knew of a node (a guess). A successful plan becomes one transaction:
 * <em>compares</em> that every key consulted still has the mod revision of its snapshot (0 for a key
 * believed missing), then the <em>writes</em>, one per key (ops that touch a key twice are folded
 * into the last state). The compares cover every input of the decision but one, a node's child
 * count (lease expiry removes children without writing their parent): a delete that found no
 * children is still right, since a child created since would have bumped the parent's counter key;
 * a stat that reports the count takes it from a count read inside the same transaction ({@link
 * #counted}). So a transaction that commits was decided correctly, whatever the snapshots' age. A
 * failed check is an answer only if every snapshot consulted came from one fresh read ({@link
 * #decidedFrom}); otherwise the caller reads and plans again.
 */
final class Plan {

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
    /** The data key's value as {@link #writes} puts it, or null when it puts none. */
    byte[] written;

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
  private final Function<String, NodeSnap> snaps;
  private final long lease;
  private final long now;
  private final int maxDataBytes;
  private final Map<String, State> overlay = new LinkedHashMap<>();
  private final List<Result> results = new ArrayList<>();
  private final List<WatchEvent> changes = new ArrayList<>();
  /** The nodes whose stats a result reports, whose child count the transaction reads. */
  private final Set<String> counted = new LinkedHashSet<>();

  /**
   * @param snaps a snapshot of any node, from a fresh read or a guess; never null (a node believed
   *     missing is a snapshot with no data key)
   */
  Plan(Layout layout, Function<String, NodeSnap> snaps, long lease, long nowMillis, int maxDataBytes) {
    this.layout = layout;
    this.snaps = snaps;
    this.lease = lease;
    this.now = nowMillis;
    this.maxDataBytes = maxDataBytes;
  }

  /** The paths a plan of {@code ops} consults at least (a sequential name is known only once planned). */
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
   * {@code multi}).
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
      s = new State(path, snaps.apply(path));
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
    counted.add(path);
    long childCountHere = node.childCount;
    results.add(rev -> new OpResult.SetDataResult(withChildren(withRevision(stat, rev),
        childCountHere + childCorrection(path))));
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

  /** The nodes this plan consulted (read or guessed), in order. */
  Set<String> consulted() {
    return new LinkedHashSet<>(overlay.keySet());
  }

  /** Whether every snapshot the plan consulted is the one in {@code reading}: its answer is that read's. */
  boolean decidedFrom(Map<String, NodeSnap> reading) {
    for (State s : overlay.values()) {
      if (reading.get(s.path) != s.snap) {
        return false;
      }
    }
    return true;
  }

  /** The nodes whose child count {@link #writes} callers read inside the transaction, in order. */
  List<String> counted() {
    List<String> out = new ArrayList<>();
    for (String path : counted) {
      if (overlay.get(path).exists) {
        out.add(path);
      }
    }
    return out;
  }

  /** Counted child counts after the transaction, by path; set by {@link #results}. */
  private Map<String, Long> countsAfter = Map.of();

  /** How far the snapshot's child count of {@code path} was from the count at the transaction. */
  private long childCorrection(String path) {
    Long after = countsAfter.get(path);
    return after == null ? 0 : after - overlay.get(path).childCount;
  }

  private static Stat withChildren(Stat s, long children) {
    long creates = (s.cversion() + (long) s.numChildren()) / 2;
    return new Stat(s.czxid(), s.mzxid(), s.pzxid(), s.ctime(), s.mtime(), s.version(), (int) (2 * creates - children),
        s.aversion(), s.ephemeralOwner(), s.dataLength(), (int) children);
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
        s.written = new NodeValue(s.version, s.ctime, s.mtime, czxid, s.data).encode();
        ByteSequence value = ByteSequence.from(s.written);
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

  /**
   * The ops' results at the transaction's {@code revision}, given the child counts of {@link
   * #counted} the transaction read (in that order).
   */
  List<OpResult> results(long revision, List<Long> counts) {
    List<String> paths = counted();
    Map<String, Long> after = new LinkedHashMap<>();
    for (int i = 0; i < paths.size() && i < counts.size(); i++) {
      after.put(paths.get(i), counts.get(i));
    }
    countsAfter = after;
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

  /**
   * The consulted nodes as the committed transaction at {@code revision} left them, for the
   * session's next guesses; call after {@link #writes}. A child count here may be off by children
   * whose leases ended meanwhile, which no compare sees and no decision trusts (see the class
   * comment).
   */
  List<NodeSnap> after(long revision) {
    List<NodeSnap> out = new ArrayList<>(overlay.size());
    for (State s : overlay.values()) {
      if (!s.exists) {
        out.add(new NodeSnap(s.path, null, null, 0, null));
        continue;
      }
      KeyValue data = s.snap.data();
      if (s.written != null) {
        boolean kept = s.snap.exists();
        data = keyValue(layout.dataKey(s.path), s.written, kept ? data.getCreateRevision() : revision, revision,
            kept ? data.getVersion() + 1 : 1, s.owner);
      }
      KeyValue meta = s.snap.meta();
      if (s.owner != 0) {
        meta = null;
      } else if (s.metaDirty) {
        meta = keyValue(layout.metaKey(s.path), NodeValue.encodeCounter(s.creates),
            meta == null ? revision : meta.getCreateRevision(), revision, meta == null ? 1 : meta.getVersion() + 1, 0);
      }
      out.add(new NodeSnap(s.path, data, meta, s.childCount, null));
    }
    return out;
  }

  private static KeyValue keyValue(ByteSequence key, byte[] value, long createRevision, long modRevision,
      long version, long lease) {
    return new KeyValue(io.etcd.jetcd.api.KeyValue.newBuilder()
        .setKey(ByteString.copyFrom(key.getBytes()))
        .setValue(ByteString.copyFrom(value))
        .setCreateRevision(createRevision)
        .setModRevision(modRevision)
        .setVersion(version)
        .setLease(lease)
        .build(), ByteSequence.EMPTY);
  }
}
