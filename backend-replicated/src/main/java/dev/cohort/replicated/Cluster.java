package dev.cohort.replicated;

import dev.cohort.replicated.raft.Message;
import dev.cohort.replicated.raft.RaftNode;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.Executor;
import java.util.function.IntFunction;
import java.util.function.LongSupplier;

/**
 * The whole replicated service on one {@link EventLoop}: the replicas ({@link RaftHost} + {@link
 * ReplicaService}), the {@link SimNetwork} between them and to the sessions, and the service side of
 * every session. Every method runs on the loop thread; the public API reaches it through {@link
 * EventLoop#execute}.
 *
 * <p>Faults are applied here: a crash keeps only the replica's storage and resets the connections
 * of its sessions (as a dead server's TCP connections reset); a pause holds every message to the
 * replica until it resumes; partitions cut links in both directions, including those of the
 * sessions attached to the replicas on the other side.
 */
final class Cluster {
  private final Settings settings;
  private final EventLoop loop;
  private final SimNetwork network;
  private final Random random;
  private final LongSupplier epochMillis;
  private final Executor callbackExecutor;
  private final RaftHost[] hosts;
  private final RaftStorage[] storages;
  private final List<List<Runnable>> heldForPaused = new ArrayList<>();
  private final Map<Integer, ReplicatedSession> sessions = new HashMap<>();
  private final Map<Long, List<java.util.concurrent.CompletableFuture<Void>>> endWaiters = new HashMap<>();
  private int nextEndpoint = SimNetwork.FIRST_SESSION_ENDPOINT;
  private int nextReplicaForSession;
  private boolean started;

  Cluster(Settings settings, EventLoop loop, Random random, LongSupplier epochMillis, Executor callbackExecutor,
      IntFunction<RaftStorage> storageFactory) {
    this.settings = settings;
    this.loop = loop;
    this.random = random;
    this.network = new SimNetwork(loop, random);
    this.epochMillis = epochMillis;
    this.callbackExecutor = callbackExecutor;
    int n = settings.replicas();
    int[] members = new int[n];
    for (int i = 0; i < n; i++) {
      members[i] = i + 1;
    }
    hosts = new RaftHost[n + 1];
    storages = new RaftStorage[n + 1];
    heldForPaused.add(null);
    for (int id = 1; id <= n; id++) {
      int me = id;
      storages[id] = storageFactory.apply(id);
      hosts[id] = new RaftHost(id, members, settings.raft(), loop, network, random, storages[id],
          () -> new ReplicaService(this, me), i -> i >= 1 && i <= n ? hosts[i] : null, settings.snapshotEvery());
      heldForPaused.add(new ArrayList<>());
    }
  }

  /** Starts every replica and its clock. Loop thread. */
  void start() {
    started = true;
    for (int id = 1; id <= settings.replicas(); id++) {
      hosts[id].start();
      RaftHost h = hosts[id];
      long offset = (long) (random.nextDouble() * settings.tickNanos());
      loop.schedule(offset, new Runnable() {
        @Override
        public void run() {
          h.tick();
          ReplicaService s = service(h.id());
          if (s != null && h.isUp()) {
            s.tick();
          }
          loop.schedule(settings.tickNanos(), this);
        }
      });
    }
    if (storages[1].load().hardState().term() == 0) {
      // A brand-new cluster: let replica 1 stand at once instead of waiting out an election
      // timeout. Safe (any replica may campaign at any time); it only saves the first timeout.
      hosts[1].campaign();
    }
  }

  boolean started() {
    return started;
  }

  Settings settings() {
    return settings;
  }

  EventLoop loop() {
    return loop;
  }

  SimNetwork network() {
    return network;
  }

  Random random() {
    return random;
  }

  Executor callbackExecutor() {
    return callbackExecutor;
  }

  long nowMillis() {
    return epochMillis.getAsLong();
  }

  RaftHost host(int id) {
    return hosts[id];
  }

  RaftStorage storage(int id) {
    return storages[id];
  }

  /** The replica's service, or null while it is crashed. */
  ReplicaService service(int id) {
    RaftHost h = hosts[id];
    return h.app() == null ? null : (ReplicaService) h.app();
  }

  int size() {
    return settings.replicas();
  }

  /** The current leader's id, or 0 if no replica leads. With several claimants, the highest term wins. */
  int leader() {
    int best = 0;
    long bestTerm = -1;
    for (int id = 1; id <= size(); id++) {
      if (hosts[id].isLeader() && hosts[id].raft().term() > bestTerm) {
        best = id;
        bestTerm = hosts[id].raft().term();
      }
    }
    return best;
  }

  // ------------------------------------------------------------------ sessions

  ReplicatedSession register(java.util.function.IntFunction<ReplicatedSession> factory) {
    int endpoint = nextEndpoint++;
    ReplicatedSession s = factory.apply(endpoint);
    sessions.put(endpoint, s);
    return s;
  }

  void forget(int endpoint) {
    sessions.remove(endpoint);
  }

  List<ReplicatedSession> sessions() {
    return List.copyOf(sessions.values());
  }

  long newSessionId() {
    // Mixing in the clock keeps ids of a cluster restarted from its data directory (with the same
    // seed) apart from the ids its earlier life used, which the tree still remembers.
    long id;
    do {
      id = (random.nextLong() ^ Long.rotateLeft(nowMillis() * 0x9e3779b97f4a7c15L, 17)) & 0x7fff_ffff_ffff_ffffL;
    } while (id == 0);
    return id;
  }

  /** The replica a new session tries first: round robin, so sessions spread over the replicas. */
  int firstReplicaForNewSession() {
    if (settings.homeReplica() != 0) {
      return settings.homeReplica();
    }
    nextReplicaForSession = nextReplicaForSession % size() + 1;
    return nextReplicaForSession;
  }

  /** Completes once some replica has applied the end (close or expiry) of session {@code sid}. */
  java.util.concurrent.CompletableFuture<Void> whenSessionEnds(long sid) {
    java.util.concurrent.CompletableFuture<Void> f = new java.util.concurrent.CompletableFuture<>();
    endWaiters.computeIfAbsent(sid, k -> new ArrayList<>()).add(f);
    return f;
  }

  void sessionEnded(long sid) {
    List<java.util.concurrent.CompletableFuture<Void>> waiters = endWaiters.remove(sid);
    if (waiters != null) {
      waiters.forEach(w -> w.complete(null));
    }
  }

  // ------------------------------------------------------------------ messaging

  void toSession(int replica, int endpoint, Object msg) {
    network.send(replica, endpoint, msg, m -> {
      ReplicatedSession s = sessions.get(endpoint);
      if (s != null) {
        s.onMessage(replica, m);
      }
    });
  }

  void fromSession(int endpoint, int replica, Object msg) {
    network.send(endpoint, replica, msg, m -> deliverToReplica(replica, () -> {
      ReplicaService svc = service(replica);
      if (m instanceof Wire.Request r) {
        svc.onRequest(endpoint, r);
      } else if (m instanceof Wire.Ping p) {
        svc.onPing(endpoint, p);
      } else if (m instanceof Wire.Connect c) {
        svc.onConnect(endpoint, c);
      }
    }));
  }

  void toReplica(int from, int to, Object msg) {
    network.send(from, to, msg, m -> deliverToReplica(to, () -> {
      ReplicaService svc = service(to);
      if (m instanceof Wire.Forward f) {
        svc.onForward(f);
      } else if (m instanceof Wire.Alive a) {
        svc.onAlive(a);
      }
    }));
  }

  private void deliverToReplica(int id, Runnable r) {
    switch (hosts[id].status()) {
      case UP -> r.run();
      case PAUSED -> heldForPaused.get(id).add(r);
      case CRASHED -> { }
    }
  }

  /** Whether a replica is serving sessions: up and following a known leader. */
  boolean serving(int id) {
    RaftHost h = hosts[id];
    return h.isUp() && h.raft().leader() != RaftNode.NONE;
  }

  // ------------------------------------------------------------------ faults

  void crash(int id) {
    RaftHost h = hosts[id];
    if (h.status() == RaftHost.Status.CRASHED) {
      return;
    }
    h.crash();
    heldForPaused.get(id).clear();
    for (ReplicatedSession s : sessions()) {
      if (s.replica() == id) {
        s.connectionLost("replica " + id + " crashed");
      }
    }
  }

  void restart(int id) {
    if (hosts[id].status() == RaftHost.Status.CRASHED) {
      hosts[id].start();
    }
  }

  void pause(int id) {
    hosts[id].pause();
  }

  void resume(int id) {
    RaftHost h = hosts[id];
    if (h.status() != RaftHost.Status.PAUSED) {
      return;
    }
    h.resume();
    List<Runnable> held = List.copyOf(heldForPaused.get(id));
    heldForPaused.get(id).clear();
    held.forEach(Runnable::run);
  }

  /** Cuts every link between different groups; replicas in no group are cut from everyone. */
  void partition(List<int[]> groups) {
    int[] groupOf = new int[size() + 1];
    for (int g = 0; g < groups.size(); g++) {
      for (int id : groups.get(g)) {
        groupOf[id] = g + 1;
      }
    }
    for (int a = 1; a <= size(); a++) {
      for (int b = a + 1; b <= size(); b++) {
        if (groupOf[a] == 0 || groupOf[a] != groupOf[b]) {
          network.cutBoth(a, b);
        }
      }
    }
  }

  void isolate(int id) {
    for (int other = 1; other <= size(); other++) {
      if (other != id) {
        network.cutBoth(id, other);
      }
    }
  }

  /** Restores every link between replicas (sessions cut off by {@code disconnect} stay cut). */
  void heal() {
    for (int a = 1; a <= size(); a++) {
      for (int b = 1; b <= size(); b++) {
        network.restore(a, b);
      }
    }
    network.setDefaults(LinkConfig.PERFECT);
  }
}
