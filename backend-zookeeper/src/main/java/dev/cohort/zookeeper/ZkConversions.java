package dev.cohort.zookeeper;

import dev.cohort.spi.CreateMode;
import dev.cohort.spi.Op;
import dev.cohort.spi.OpResult;
import dev.cohort.spi.Stat;
import dev.cohort.spi.WatchEvent;
import java.util.ArrayList;
import java.util.List;
import org.apache.zookeeper.Watcher.Event.EventType;
import org.apache.zookeeper.data.ACL;

/** Value conversions between the SPI and the ZooKeeper client; pure functions. */
final class ZkConversions {

  private ZkConversions() {}

  /** ZooKeeper's ephemeralOwner marker for container nodes. */
  private static final long CONTAINER_OWNER = Long.MIN_VALUE;
  /** The top byte ZooKeeper sets in the ephemeralOwner of TTL nodes (the rest holds the TTL). */
  private static final long TTL_OWNER_MASK = 0xFF00000000000000L;

  /**
   * The SPI stat of a ZooKeeper stat. ZooKeeper marks container and TTL nodes by special values in
   * {@code ephemeralOwner}; those nodes belong to no session, so the SPI stat says 0.
   *
   * @param ttlNodes whether the ensemble has TTL nodes enabled (only then is the TTL marker
   *     meaningful; without it a top byte of 0xFF is a server id)
   */
  static Stat toStat(org.apache.zookeeper.data.Stat s, boolean ttlNodes) {
    long owner = s.getEphemeralOwner();
    if (owner == CONTAINER_OWNER || (ttlNodes && (owner & TTL_OWNER_MASK) == TTL_OWNER_MASK)) {
      owner = 0;
    }
    return new Stat(
        s.getCzxid(),
        s.getMzxid(),
        s.getPzxid(),
        s.getCtime(),
        s.getMtime(),
        s.getVersion(),
        s.getCversion(),
        s.getAversion(),
        owner,
        s.getDataLength(),
        s.getNumChildren());
  }

  static org.apache.zookeeper.CreateMode toCreateMode(CreateMode mode) {
    return switch (mode) {
      case PERSISTENT -> org.apache.zookeeper.CreateMode.PERSISTENT;
      case PERSISTENT_SEQUENTIAL -> org.apache.zookeeper.CreateMode.PERSISTENT_SEQUENTIAL;
      case EPHEMERAL -> org.apache.zookeeper.CreateMode.EPHEMERAL;
      case EPHEMERAL_SEQUENTIAL -> org.apache.zookeeper.CreateMode.EPHEMERAL_SEQUENTIAL;
      case CONTAINER -> org.apache.zookeeper.CreateMode.CONTAINER;
      case PERSISTENT_WITH_TTL -> org.apache.zookeeper.CreateMode.PERSISTENT_WITH_TTL;
      case PERSISTENT_SEQUENTIAL_WITH_TTL -> org.apache.zookeeper.CreateMode.PERSISTENT_SEQUENTIAL_WITH_TTL;
    };
  }

  /** The SPI type of a node event, or null for state events and watch-removal notices. */
  static WatchEvent.Type toEventType(EventType type) {
    return switch (type) {
      case NodeCreated -> WatchEvent.Type.NODE_CREATED;
      case NodeDeleted -> WatchEvent.Type.NODE_DELETED;
      case NodeDataChanged -> WatchEvent.Type.NODE_DATA_CHANGED;
      case NodeChildrenChanged -> WatchEvent.Type.NODE_CHILDREN_CHANGED;
      default -> null;
    };
  }

  /** One SPI op as a ZooKeeper op; arguments were validated by the caller. */
  static org.apache.zookeeper.Op toOp(Op op, List<ACL> acl) {
    return toOp(op, acl, op.path());
  }

  /** One SPI op as a ZooKeeper op on {@code path} instead of its own (a chroot-prefixed path). */
  static org.apache.zookeeper.Op toOp(Op op, List<ACL> acl, String path) {
    if (op instanceof Op.Create c) {
      org.apache.zookeeper.CreateMode mode = toCreateMode(c.mode());
      return c.ttl() == null
          ? org.apache.zookeeper.Op.create(path, c.data(), acl, mode)
          : org.apache.zookeeper.Op.create(path, c.data(), acl, mode, c.ttl().toMillis());
    } else if (op instanceof Op.Delete d) {
      return org.apache.zookeeper.Op.delete(path, d.version());
    } else if (op instanceof Op.SetData s) {
      return org.apache.zookeeper.Op.setData(path, s.data(), s.version());
    } else if (op instanceof Op.Check k) {
      return org.apache.zookeeper.Op.check(path, k.version());
    } else if (op instanceof Op.GetData) {
      return org.apache.zookeeper.Op.getData(path);
    } else if (op instanceof Op.GetChildren) {
      return org.apache.zookeeper.Op.getChildren(path);
    }
    throw new IllegalArgumentException("unknown op " + op);
  }

  /** The results of a successful multi, in op order. */
  static List<OpResult> toResults(List<org.apache.zookeeper.OpResult> results, boolean ttlNodes) {
    List<OpResult> out = new ArrayList<>(results.size());
    for (org.apache.zookeeper.OpResult r : results) {
      out.add(toResult(r, ttlNodes));
    }
    return out;
  }

  private static OpResult toResult(org.apache.zookeeper.OpResult r, boolean ttlNodes) {
    if (r instanceof org.apache.zookeeper.OpResult.CreateResult c) {
      return new OpResult.CreateResult(c.getPath());
    } else if (r instanceof org.apache.zookeeper.OpResult.DeleteResult) {
      return new OpResult.DeleteResult();
    } else if (r instanceof org.apache.zookeeper.OpResult.SetDataResult s) {
      return new OpResult.SetDataResult(toStat(s.getStat(), ttlNodes));
    } else if (r instanceof org.apache.zookeeper.OpResult.CheckResult) {
      return new OpResult.CheckResult();
    } else if (r instanceof org.apache.zookeeper.OpResult.GetDataResult g) {
      byte[] data = g.getData();
      return new OpResult.GetDataResult(data == null ? new byte[0] : data, toStat(g.getStat(), ttlNodes));
    } else if (r instanceof org.apache.zookeeper.OpResult.GetChildrenResult g) {
      return new OpResult.GetChildrenResult(g.getChildren());
    }
    throw new IllegalStateException("unexpected multi result " + r);
  }

  /**
   * The index of the op that made a multi fail: the first error result whose code is neither OK nor
   * the RUNTIMEINCONSISTENCY ZooKeeper gives the ops it rolled back or never ran; or -1.
   */
  static int failedOpIndex(List<org.apache.zookeeper.OpResult> results) {
    if (results == null) {
      return -1;
    }
    int fallback = -1;
    for (int i = 0; i < results.size(); i++) {
      if (results.get(i) instanceof org.apache.zookeeper.OpResult.ErrorResult e && e.getErr() != 0) {
        if (e.getErr() != org.apache.zookeeper.KeeperException.Code.RUNTIMEINCONSISTENCY.intValue()) {
          return i;
        }
        if (fallback < 0) {
          fallback = i;
        }
      }
    }
    return fallback;
  }

  /** The error code of result {@code index}. */
  static int errorAt(List<org.apache.zookeeper.OpResult> results, int index) {
    return ((org.apache.zookeeper.OpResult.ErrorResult) results.get(index)).getErr();
  }
}
