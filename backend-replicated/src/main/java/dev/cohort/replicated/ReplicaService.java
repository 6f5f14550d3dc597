package dev.cohort.replicated;

import dev.cohort.inmemory.tree.ApplyResult;
import dev.cohort.inmemory.tree.DataTree;
import dev.cohort.inmemory.tree.Outcome;
import dev.cohort.inmemory.tree.Txn;
import dev.cohort.inmemory.tree.TxnOp;
import dev.cohort.inmemory.tree.WatchRegistry;
import dev.cohort.replicated.raft.Entry;
import dev.cohort.replicated.raft.Snapshot;
import dev.cohort.spi.Children;
import dev.cohort.spi.CoordinationException;
import dev.cohort.spi.InvalidPathException;
import dev.cohort.spi.NoNodeException;
import dev.cohort.spi.NodeData;
import dev.cohort.spi.Op;
import dev.cohort.spi.OpResult;
import dev.cohort.spi.Paths;
import dev.cohort.spi.Stat;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The coordination service on one replica: the replicated state (a {@link DataTree} plus each
 * session's last applied write sequence number), fed by the committed log, and the replica-local
 * state of the sessions attached here (their request queues and watches).
 *
 * <h2>Requests</h2>
 * A session's requests are handled in arrival order. Reads are answered from this replica's tree
 * (possibly stale); writes, syncs and closes are forwarded to the leader as {@link Command}s and
 * answered when this replica applies them; a read waits behind its session's earlier writes, so a
 * session reads its own writes and its completions come in order.
 *
 * <h2>Leader duties</h2>
 * While this replica leads, it keeps every session's deadline (pushed back by {@link Wire.Alive}
 * from the replicas that serve it) and proposes {@link Command.ExpireSession} when one passes; on
 * election it starts every deadline afresh, so a new leader never expires a live session for being
 * new. It also proposes sweeps of expired containers and TTL nodes.
 *
 * <p>Loop thread only; recreated empty when its replica restarts.
 */
final class ReplicaService implements RaftHost.Application {
  private final Cluster cluster;
  private final int id;

  // Replicated state.
  private DataTree tree;
  /** Session id to its last applied write sequence number, or {@link #ENDED}. */
  private final TreeMap<Long, Long> lastWseq = new TreeMap<>();
  private static final long ENDED = -1;

  // Local state.
  private final WatchRegistry watches = new WatchRegistry();
  private final Map<Long, Attached> attached = new HashMap<>();
  private long appliedZxid;
  private int ticks;
  private int knownLeader = dev.cohort.replicated.raft.RaftNode.NONE;

  // Leader state.
  private boolean leading;
  private final Map<Long, Long> deadlines = new HashMap<>();
  private final Map<Long, Long> expiryProposedAt = new HashMap<>();

  /** A session served by this replica. */
  private static final class Attached {
    final long sessionId;
    final int endpoint;
    final ArrayDeque<Pending> queue = new ArrayDeque<>();
    Wire.Connect connecting;
    long silenceLimitNanos;
    long lastHeardNanos;
    long lastSendNanos;

    Attached(long sessionId, int endpoint) {
      this.sessionId = sessionId;
      this.endpoint = endpoint;
    }
  }

  /** A request waiting in its session's queue. */
  private static final class Pending {
    final Wire.Request request;
    final byte[] command;
    Wire.Reply reply;

    Pending(Wire.Request request, byte[] command) {
      this.request = request;
      this.command = command;
    }
  }

  ReplicaService(Cluster cluster, int id) {
    this.cluster = cluster;
    this.id = id;
    this.tree = new DataTree(cluster.settings().maxDataBytes());
  }

  DataTree tree() {
    return tree;
  }

  long appliedZxid() {
    return appliedZxid;
  }

  boolean serves(long sessionId) {
    Attached a = attached.get(sessionId);
    return a != null && a.connecting == null;
  }

  // ------------------------------------------------------------------ from sessions

  void onConnect(int endpoint, Wire.Connect c) {
    Attached a = new Attached(c.sessionId(), endpoint);
    a.connecting = c;
    a.lastHeardNanos = cluster.loop().nowNanos();
    a.silenceLimitNanos = cluster.settings().clientSilenceNanos();
    Attached old = attached.put(c.sessionId(), a);
    if (old != null) {
      watches.removeSession(c.sessionId()); // the session re-sends the watches it still holds
    }
    long now = cluster.nowMillis();
    Command cmd = c.timeoutMillis() > 0
        ? new Command.OpenSession(c.sessionId(), c.timeoutMillis(), now, id)
        : new Command.Attach(c.sessionId(), c.wseqFloor(), id);
    a.lastSendNanos = cluster.loop().nowNanos();
    forward(Command.encode(cmd));
  }

  void onRequest(int endpoint, Wire.Request r) {
    Attached a = attached.get(r.sessionId());
    if (a == null || a.endpoint != endpoint || a.connecting != null) {
      return; // not attached here (any more): the session will notice and reconnect
    }
    a.lastHeardNanos = cluster.loop().nowNanos();
    byte[] cmd = null;
    Wire.Body body = r.body();
    if (body.isWrite()) {
      long now = cluster.nowMillis();
      Command c;
      if (body instanceof Wire.WriteBody w) {
        c = new Command.Write(r.sessionId(), r.wseq(), now, w.op());
      } else if (body instanceof Wire.SyncBody) {
        c = new Command.Sync(r.sessionId(), r.wseq());
      } else {
        c = new Command.CloseSession(r.sessionId(), r.wseq(), now);
      }
      cmd = Command.encode(c);
      forward(cmd);
      a.lastSendNanos = cluster.loop().nowNanos();
    }
    a.queue.add(new Pending(r, cmd));
    pump(a);
  }

  void onPing(int endpoint, Wire.Ping p) {
    Attached a = attached.get(p.sessionId());
    if (a != null && a.endpoint == endpoint) {
      a.lastHeardNanos = cluster.loop().nowNanos();
      if (a.connecting == null && cluster.serving(id)) {
        // a replica cut off from the leader goes quiet, as a ZooKeeper server out of quorum
        // closes its clients' connections: its sessions then move to a replica that can serve them
        cluster.toSession(id, endpoint, new Wire.Pong(appliedZxid));
      }
    }
  }

  /** Answers every request at the head of the queue that can be answered now. */
  private void pump(Attached a) {
    while (!a.queue.isEmpty()) {
      Pending head = a.queue.peek();
      if (head.reply == null) {
        if (head.request.body().isWrite()) {
          return; // answered when applied
        }
        head.reply = serveLocal(a.sessionId, head.request);
      }
      a.queue.poll();
      cluster.toSession(id, a.endpoint, head.reply);
    }
  }

  private Wire.Reply serveLocal(long sessionId, Wire.Request r) {
    try {
      Wire.Body body = r.body();
      if (body instanceof Wire.Read read) {
        return read(sessionId, r.reqId(), read);
      }
      if (body instanceof Wire.ReadMulti multi) {
        return new Wire.Reply(r.reqId(), appliedZxid, readMulti(multi.ops()), null, null);
      }
      if (body instanceof Wire.AddWatch add) {
        checkPath(add.path());
        watches.add(add.kind(), add.path(), sessionId, add.watcher());
        return new Wire.Reply(r.reqId(), appliedZxid, null, null, add.kind());
      }
      Wire.RemoveWatches rm = (Wire.RemoveWatches) body;
      checkPath(rm.path());
      watches.remove(rm.path(), sessionId, rm.watcher());
      return new Wire.Reply(r.reqId(), appliedZxid, null, null, null);
    } catch (CoordinationException e) {
      return new Wire.Reply(r.reqId(), appliedZxid, null, e, null);
    }
  }

  private Wire.Reply read(long sessionId, long reqId, Wire.Read read) {
    String path = read.path();
    checkPath(path);
    Object result;
    WatchRegistry.Kind kind = null;
    switch (read.kind()) {
      case EXISTS -> {
        Stat stat = tree.stat(path);
        kind = stat == null ? WatchRegistry.Kind.EXIST : WatchRegistry.Kind.DATA;
        result = stat;
      }
      case GET_DATA -> {
        NodeData data = tree.getData(path);
        if (data == null) {
          throw new NoNodeException(path);
        }
        kind = WatchRegistry.Kind.DATA;
        result = data;
      }
      default -> {
        Children children = tree.getChildren(path);
        if (children == null) {
          throw new NoNodeException(path);
        }
        kind = WatchRegistry.Kind.CHILD;
        result = children;
      }
    }
    if (read.watcher() != null) {
      watches.add(kind, path, sessionId, read.watcher());
    } else {
      kind = null;
    }
    return new Wire.Reply(reqId, appliedZxid, result, null, kind);
  }

  private List<OpResult> readMulti(List<Op> ops) {
    List<OpResult> results = new ArrayList<>(ops.size());
    for (int i = 0; i < ops.size(); i++) {
      Op op = ops.get(i);
      String problem = Paths.problem(op.path(), false);
      if (problem != null) {
        throw new InvalidPathException(op.path(), problem).atOp(i);
      }
      if (op instanceof Op.GetData) {
        NodeData data = tree.getData(op.path());
        if (data == null) {
          throw new NoNodeException(op.path()).atOp(i);
        }
        results.add(new OpResult.GetDataResult(data.data(), data.stat()));
      } else {
        Children children = tree.getChildren(op.path());
        if (children == null) {
          throw new NoNodeException(op.path()).atOp(i);
        }
        results.add(new OpResult.GetChildrenResult(children.names()));
      }
    }
    return List.copyOf(results);
  }

  private static void checkPath(String path) {
    String problem = Paths.problem(path, false);
    if (problem != null) {
      throw new InvalidPathException(path, problem);
    }
  }

  // ------------------------------------------------------------------ between replicas

  private void forward(byte[] command) {
    RaftHost host = cluster.host(id);
    if (host.isLeader()) {
      host.propose(command);
      return;
    }
    int leader = host.raft().leader();
    if (leader != dev.cohort.replicated.raft.RaftNode.NONE) {
      cluster.toReplica(id, leader, new Wire.Forward(command));
    }
    // no known leader: the periodic resend tries again once one is elected
  }

  void onForward(Wire.Forward f) {
    cluster.host(id).propose(f.command()); // ignored unless leading; the sender resends
  }

  void onAlive(Wire.Alive alive) {
    if (!leading) {
      return;
    }
    long now = cluster.loop().nowNanos();
    Map<Long, Long> sessions = tree.sessions();
    for (long sid : alive.sessionIds()) {
      Long timeout = sessions.get(sid);
      if (timeout != null) {
        deadlines.put(sid, now + timeout * 1_000_000L);
      }
    }
  }

  /** Called once per tick while the replica is up. */
  void tick() {
    ticks++;
    long now = cluster.loop().nowNanos();
    Settings s = cluster.settings();
    int leaderNow = cluster.host(id).raft().leader();
    if (leaderNow != knownLeader) {
      knownLeader = leaderNow;
      if (leaderNow != dev.cohort.replicated.raft.RaftNode.NONE) {
        // what was forwarded to no one, or to a leader that is gone, goes to the new one at once
        for (Attached a : attached.values()) {
          if (hasUnapplied(a)) {
            resend(a);
          }
        }
      }
    }
    long resendAfter = s.tickNanos() * s.raft().electionTicks();
    List<Long> alive = new ArrayList<>();
    for (Attached a : attached.values()) {
      if (now - a.lastHeardNanos <= a.silenceLimitNanos) {
        alive.add(a.sessionId);
      }
      if (now - a.lastSendNanos >= resendAfter && hasUnapplied(a)) {
        resend(a);
      }
    }
    if (ticks % s.aliveEveryTicks() == 0 && !alive.isEmpty()) {
      long[] ids = alive.stream().mapToLong(Long::longValue).sorted().toArray();
      int leader = cluster.host(id).raft().leader();
      if (leading) {
        onAlive(new Wire.Alive(ids));
      } else if (leader != dev.cohort.replicated.raft.RaftNode.NONE) {
        cluster.toReplica(id, leader, new Wire.Alive(ids));
      }
    }
    if (leading) {
      expireOverdue(now);
      if (ticks % s.sweepEveryTicks() == 0 && tree.hasSweepableKinds()) {
        List<String> candidates = tree.sweepCandidates(cluster.nowMillis());
        if (!candidates.isEmpty()) {
          cluster.host(id).propose(Command.encode(new Command.Sweep(cluster.nowMillis(), candidates)));
        }
      }
    }
  }

  private static boolean hasUnapplied(Attached a) {
    if (a.connecting != null) {
      return true;
    }
    for (Pending p : a.queue) {
      if (p.command != null && p.reply == null) {
        return true;
      }
    }
    return false;
  }

  /** Sends again, in order, every command of the session not yet applied. */
  private void resend(Attached a) {
    a.lastSendNanos = cluster.loop().nowNanos();
    if (a.connecting != null) {
      Wire.Connect c = a.connecting;
      Command cmd = c.timeoutMillis() > 0
          ? new Command.OpenSession(c.sessionId(), c.timeoutMillis(), cluster.nowMillis(), id)
          : new Command.Attach(c.sessionId(), c.wseqFloor(), id);
      forward(Command.encode(cmd));
      return;
    }
    for (Pending p : a.queue) {
      if (p.command != null && p.reply == null) {
        forward(p.command);
      }
    }
  }

  private void expireOverdue(long now) {
    for (Map.Entry<Long, Long> d : deadlines.entrySet()) {
      long sid = d.getKey();
      if (d.getValue() < now) {
        Long proposedAt = expiryProposedAt.get(sid);
        long retryAfter = cluster.settings().tickNanos() * cluster.settings().raft().electionTicks();
        if (proposedAt == null || now - proposedAt > retryAfter) {
          expiryProposedAt.put(sid, now);
          cluster.host(id).propose(Command.encode(new Command.ExpireSession(sid, cluster.nowMillis())));
        }
      }
    }
  }

  @Override
  public void leadership(boolean nowLeading, long term) {
    leading = nowLeading;
    deadlines.clear();
    expiryProposedAt.clear();
    if (nowLeading) {
      long now = cluster.loop().nowNanos();
      tree.sessions().forEach((sid, timeout) -> deadlines.put(sid, now + timeout * 1_000_000L));
    }
  }

  // ------------------------------------------------------------------ applying the log

  @Override
  public void apply(Entry e) {
    if (e.isNoop()) {
      return;
    }
    long zxid = e.index();
    Command c = Command.decode(e.data());
    if (c instanceof Command.Write w) {
      applyWrite(zxid, w);
    } else if (c instanceof Command.Sync s) {
      if (accept(s.sessionId(), s.wseq())) {
        answer(s.sessionId(), s.wseq(), zxid, null, null);
      }
    } else if (c instanceof Command.OpenSession o) {
      applyOpen(zxid, o);
    } else if (c instanceof Command.Attach at) {
      applyAttach(zxid, at);
    } else if (c instanceof Command.CloseSession cs) {
      if (accept(cs.sessionId(), cs.wseq())) {
        endSession(zxid, cs.sessionId(), cs.timeMillis(), false);
      }
    } else if (c instanceof Command.ExpireSession ex) {
      if (tree.hasSession(ex.sessionId())) {
        endSession(zxid, ex.sessionId(), ex.timeMillis(), true);
      }
    } else if (c instanceof Command.Sweep sw) {
      ApplyResult r = tree.apply(new Txn(zxid, sw.timeMillis(), 0, new TxnOp.Sweep(sw.paths())));
      appliedZxid = zxid;
      fire(r);
    }
    appliedZxid = Math.max(appliedZxid, zxid);
  }

  private void applyWrite(long zxid, Command.Write w) {
    if (!accept(w.sessionId(), w.wseq())) {
      return;
    }
    ApplyResult r = tree.apply(new Txn(zxid, w.timeMillis(), w.sessionId(), w.op()));
    appliedZxid = zxid;
    fire(r);
    CoordinationException error = r.outcome() instanceof Outcome.Failed f ? f.toException() : null;
    answer(w.sessionId(), w.wseq(), zxid, error == null ? r.outcome() : null, error);
  }

  private void applyOpen(long zxid, Command.OpenSession o) {
    if (tree.hasSession(o.sessionId()) || lastWseq.containsKey(o.sessionId())) {
      // A resent open (the first one counts and already answered the session), or an id that
      // collides with an earlier session's: then refuse rather than leave the new session hanging.
      Attached a = attached.get(o.sessionId());
      if (a != null && a.connecting != null && a.connecting.timeoutMillis() > 0 && o.replica() == id) {
        attached.remove(o.sessionId());
        cluster.toSession(id, a.endpoint, new Wire.Expired(o.sessionId()));
      }
      return;
    }
    ApplyResult r = tree.apply(new Txn(zxid, o.timeMillis(), o.sessionId(), new TxnOp.CreateSession(o.timeoutMillis())));
    if (!r.outcome().isSuccess()) {
      return;
    }
    lastWseq.put(o.sessionId(), 0L);
    appliedZxid = zxid;
    if (leading) {
      deadlines.put(o.sessionId(), cluster.loop().nowNanos() + o.timeoutMillis() * 1_000_000L);
    }
    completeConnect(o.sessionId(), o.replica(), zxid);
  }

  private void applyAttach(long zxid, Command.Attach at) {
    if (!tree.hasSession(at.sessionId())) {
      Attached a = attached.get(at.sessionId());
      if (a != null && at.replica() == id && a.connecting != null) {
        attached.remove(at.sessionId());
        cluster.toSession(id, a.endpoint, new Wire.Expired(at.sessionId()));
      }
      return;
    }
    lastWseq.merge(at.sessionId(), at.wseqFloor(), Math::max);
    appliedZxid = zxid;
    completeConnect(at.sessionId(), at.replica(), zxid);
  }

  /** The session now belongs to {@code replica}: answer it if that is us, else forget it. */
  private void completeConnect(long sid, int replica, long zxid) {
    Attached a = attached.get(sid);
    if (a == null) {
      return;
    }
    if (replica != id) {
      attached.remove(sid);
      watches.removeSession(sid);
      return;
    }
    Wire.Connect c = a.connecting;
    if (c == null) {
      return; // a duplicate of a command that already attached it
    }
    a.connecting = null;
    Long timeout = tree.sessions().get(sid);
    long timeoutMillis = timeout == null ? 0 : timeout;
    a.silenceLimitNanos = Math.max(cluster.settings().clientSilenceNanos(), timeoutMillis * 1_000_000L / 2);
    cluster.toSession(id, a.endpoint, new Wire.Connected(sid, timeoutMillis, zxid));
    List<WatchRegistry.Fired> fired = new ArrayList<>();
    watches.reattach(sid, c.watches(), tree, c.lastZxid(), fired);
    for (WatchRegistry.Fired f : fired) {
      cluster.toSession(id, a.endpoint, new Wire.Event(zxid, f.watcher(), f.event()));
    }
    pump(a);
  }

  private void endSession(long zxid, long sid, long timeMillis, boolean expired) {
    ApplyResult r = tree.apply(new Txn(zxid, timeMillis, sid, new TxnOp.CloseSession()));
    appliedZxid = zxid;
    lastWseq.put(sid, ENDED); // a tombstone, so a late duplicate open cannot revive the session
    deadlines.remove(sid);
    expiryProposedAt.remove(sid);
    if (!expired) {
      // As on ZooKeeper, a session that closes itself still receives the events its own close
      // fires (its watched ephemerals' deletion), ahead of the close's reply; an expired one does not.
      fire(r);
      watches.removeSession(sid);
    } else {
      watches.removeSession(sid);
      fire(r);
    }
    cluster.sessionEnded(sid);
    Attached a = attached.remove(sid);
    if (a != null) {
      if (expired) {
        cluster.toSession(id, a.endpoint, new Wire.Expired(sid));
      } else {
        for (Pending p : a.queue) {
          if (p.request.body() instanceof Wire.CloseBody) {
            cluster.toSession(id, a.endpoint, new Wire.Reply(p.request.reqId(), zxid, null, null, null));
          }
        }
      }
    }
  }

  /** Whether {@code wseq} is the session's next write; if so it is consumed. */
  private boolean accept(long sid, long wseq) {
    Long last = lastWseq.get(sid);
    if (last == null || last == ENDED || wseq != last + 1) {
      if (last != null && last != ENDED && wseq > last + 1) {
        Attached a = attached.get(sid);
        long now = cluster.loop().nowNanos();
        if (a != null && a.connecting == null && now - a.lastSendNanos >= cluster.settings().tickNanos()) {
          resend(a); // a predecessor was lost or overtaken: send the rest again, in order
        }
      }
      return false;
    }
    lastWseq.put(sid, wseq);
    return true;
  }

  private void answer(long sid, long wseq, long zxid, Object result, CoordinationException error) {
    Attached a = attached.get(sid);
    if (a == null || a.connecting != null) {
      return;
    }
    for (Pending p : a.queue) {
      if (p.command != null && p.request.wseq() == wseq) {
        p.reply = new Wire.Reply(p.request.reqId(), zxid, result, error, null);
        break;
      }
    }
    pump(a);
  }

  private void fire(ApplyResult r) {
    if (r.changes().isEmpty() || watches.size() == 0) {
      return;
    }
    List<WatchRegistry.Fired> fired = new ArrayList<>();
    watches.triggerAll(r.changes(), fired);
    for (WatchRegistry.Fired f : fired) {
      Attached a = attached.get(f.sessionId());
      if (a != null) {
        cluster.toSession(id, a.endpoint, new Wire.Event(appliedZxid, f.watcher(), f.event()));
      }
    }
  }

  /** Forgets a session whose client has gone to another replica or away for good. */
  void detach(long sessionId) {
    attached.remove(sessionId);
    watches.removeSession(sessionId);
  }

  // ------------------------------------------------------------------ snapshots

  @Override
  public byte[] snapshot() {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (DataOutputStream out = new DataOutputStream(bytes)) {
      byte[] t = tree.snapshot();
      out.writeInt(t.length);
      out.write(t);
      out.writeInt(lastWseq.size());
      for (Map.Entry<Long, Long> w : lastWseq.entrySet()) {
        out.writeLong(w.getKey());
        out.writeLong(w.getValue());
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return bytes.toByteArray();
  }

  @Override
  public void restore(Snapshot snapshot) {
    try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(snapshot.data()))) {
      byte[] t = new byte[in.readInt()];
      in.readFully(t);
      tree = DataTree.restore(t, cluster.settings().maxDataBytes());
      lastWseq.clear();
      int n = in.readInt();
      for (int i = 0; i < n; i++) {
        lastWseq.put(in.readLong(), in.readLong());
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    appliedZxid = snapshot.index();
    // Sessions attached here keep their watches; those whose sessions are gone are dropped.
    for (Iterator<Map.Entry<Long, Attached>> it = attached.entrySet().iterator(); it.hasNext(); ) {
      Map.Entry<Long, Attached> a = it.next();
      if (!tree.hasSession(a.getKey()) && a.getValue().connecting == null) {
        cluster.toSession(id, a.getValue().endpoint, new Wire.Expired(a.getKey()));
        watches.removeSession(a.getKey());
        it.remove();
      }
    }
    if (leading) {
      leadership(true, 0);
    }
  }

  /** The watches the sessions attached here hold now; on the loop thread. For watch-leak tests. */
  int registeredWatches() {
    return watches.size();
  }
}
