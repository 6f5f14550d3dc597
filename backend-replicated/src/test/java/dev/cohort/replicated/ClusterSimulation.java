package dev.cohort.replicated;

import dev.cohort.inmemory.tree.DataTree;
import dev.cohort.replicated.raft.Entry;
import dev.cohort.spi.Children;
import dev.cohort.spi.CoordinationException;
import dev.cohort.spi.CreateMode;
import dev.cohort.spi.ErrorCode;
import dev.cohort.spi.Session;
import dev.cohort.spi.SessionConfig;
import dev.cohort.spi.SessionState;
import dev.cohort.spi.Stat;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;

/**
 * One deterministic simulation of the whole replicated backend — replicas, network, sessions and
 * their trees — through the public SPI, driven by {@link ReplicatedSimulation} from one seed.
 *
 * <p>Clients write registers ({@code setData}), read them linearizably ({@code sync} then {@code
 * getData}), append sequential nodes and own an ephemeral each, while faults (crashes, restarts,
 * partitions, pauses, lossy links, cut-off sessions) are injected. Checked: every replica applies
 * the same entry at each index; each register's history is linearizable; a session never sees a
 * node older than it has seen; every acknowledged append exists on every replica, also after the
 * whole cluster restarts from its storage; the ephemerals of sessions that expired are gone
 * everywhere; and after healing, replicas end byte-identical.
 */
final class ClusterSimulation {
  static final int KEYS = 3;

  final long seed;
  final Random random;
  final ReplicatedSimulation sim;
  final ReplicatedBackend backend;
  final Cluster cluster;
  final SimLoop loop;
  final List<String> violations = new ArrayList<>();
  final Map<Long, Entry> appliedAt = new HashMap<>();
  final Map<String, List<RegisterLinearizability.Op>> history = new TreeMap<>();
  final Set<String> ackedAppends = new HashSet<>();
  final Set<Long> expiredSessions = new HashSet<>();
  final List<Client> clients = new ArrayList<>();
  long completed;
  boolean faultsOn;

  ClusterSimulation(long seed, int replicas) {
    this.seed = seed;
    this.random = new Random(seed ^ 0x9e3779b97f4a7c15L);
    this.sim = ReplicatedSimulation.create(ReplicatedBackend.builder().replicas(replicas).snapshotEvery(200), seed);
    this.backend = sim.backend();
    this.cluster = backend.cluster();
    this.loop = sim.loop();
    for (int id = 1; id <= replicas; id++) {
      cluster.host(id).observeApplies(this::checkSameEntry);
    }
  }

  private void checkSameEntry(int replica, Entry e) {
    Entry first = appliedAt.putIfAbsent(e.index(), e);
    if (first != null && (first.term() != e.term() || !Arrays.equals(first.data(), e.data()))) {
      violations.add("replica " + replica + " applied a different entry at index " + e.index());
    }
  }

  // ------------------------------------------------------------------ setup and clients

  <T> T await(CompletableFuture<T> f) {
    sim.runUntil(f::isDone, Duration.ofSeconds(30));
    if (!f.isDone()) {
      throw new IllegalStateException("setup step did not finish within 30 s of virtual time");
    }
    return f.join();
  }

  void setUp(int clientCount) {
    Session admin = await(backend.openSession(SessionConfig.withTimeout(Duration.ofSeconds(5))));
    for (int k = 0; k < KEYS; k++) {
      await(admin.create("/k" + k, new byte[0], CreateMode.PERSISTENT));
    }
    await(admin.create("/log", new byte[0], CreateMode.PERSISTENT));
    await(admin.create("/eph", new byte[0], CreateMode.PERSISTENT));
    admin.close();
    for (int c = 0; c < clientCount; c++) {
      Client client = new Client(c);
      clients.add(client);
      client.start();
    }
  }

  /** One client: a session, and one operation at a time on it. */
  final class Client {
    final int number;
    Session session;
    final Map<String, Long> lastMzxid = new HashMap<>();
    int ops;

    Client(int number) {
      this.number = number;
    }

    void start() {
      backend.openSession(SessionConfig.withTimeout(Duration.ofMillis(1500))).whenComplete((s, e) -> {
        if (e != null) {
          loop.schedule(ms(100), this::start);
          return;
        }
        session = s;
        lastMzxid.clear();
        s.create("/eph/c" + number + "-", new byte[0], CreateMode.EPHEMERAL_SEQUENTIAL)
            .whenComplete((r, err) -> next());
      });
    }

    void next() {
      if (session.state() == SessionState.EXPIRED) {
        expiredSessions.add(session.id());
        start();
        return;
      }
      loop.schedule(ms(5 + random.nextInt(40)), this::issue);
    }

    void issue() {
      String key = "/k" + random.nextInt(KEYS);
      long invoke = loop.nowNanos();
      int choice = random.nextInt(10);
      if (choice < 4) {
        String value = "c" + number + "-" + (ops++);
        session.setData(key, value.getBytes(StandardCharsets.UTF_8), -1).whenComplete((stat, e) -> {
          if (e == null) {
            seen(key, stat);
            record(key, new RegisterLinearizability.Op(invoke, loop.nowNanos(), true, value));
          } else if (unknown(e)) {
            record(key, new RegisterLinearizability.Op(invoke, Long.MAX_VALUE, true, value));
          }
          done();
        });
      } else if (choice < 8) {
        session.sync(key).thenCompose(v -> session.getData(key)).whenComplete((data, e) -> {
          if (e == null) {
            seen(key, data.stat());
            String value = data.data().length == 0 ? null : new String(data.data(), StandardCharsets.UTF_8);
            record(key, new RegisterLinearizability.Op(invoke, loop.nowNanos(), false, value));
          }
          done();
        });
      } else {
        session.create("/log/e-", new byte[0], CreateMode.PERSISTENT_SEQUENTIAL).whenComplete((c, e) -> {
          if (e == null) {
            ackedAppends.add(c.path());
          }
          done();
        });
      }
    }

    private void seen(String path, Stat stat) {
      Long before = lastMzxid.put(path, stat.mzxid());
      if (before != null && stat.mzxid() < before) {
        violations.add("session 0x" + Long.toHexString(session.id()) + " saw " + path + " at mzxid "
            + stat.mzxid() + " after seeing it at " + before + " (an older view)");
      }
    }

    private void done() {
      completed++;
      next();
    }
  }

  private static boolean unknown(Throwable e) {
    Throwable cause = e instanceof CompletionException && e.getCause() != null ? e.getCause() : e;
    return !(cause instanceof CoordinationException ce) || ce.code() == ErrorCode.CONNECTION_LOSS;
  }

  private void record(String key, RegisterLinearizability.Op op) {
    history.computeIfAbsent(key, k -> new ArrayList<>()).add(op);
  }

  static long ms(long millis) {
    return millis * 1_000_000L;
  }

  // ------------------------------------------------------------------ faults

  void startFaults() {
    faultsOn = true;
    loop.schedule(ms(200), this::fault);
  }

  private void fault() {
    if (!faultsOn) {
      return;
    }
    int n = cluster.size();
    int r = 1 + random.nextInt(n);
    switch (random.nextInt(9)) {
      case 0 -> cluster.crash(r);
      case 1, 2 -> cluster.restart(r);
      case 3 -> {
        List<Integer> ids = new ArrayList<>();
        for (int i = 1; i <= n; i++) {
          ids.add(i);
        }
        java.util.Collections.shuffle(ids, random);
        int cut = 1 + random.nextInt(n);
        cluster.partition(List.of(ids.subList(0, cut).stream().mapToInt(Integer::intValue).toArray(),
            ids.subList(cut, n).stream().mapToInt(Integer::intValue).toArray()));
      }
      case 4 -> cluster.heal();
      case 5 -> {
        cluster.pause(r);
        loop.schedule(ms(50 + random.nextInt(1500)), () -> cluster.resume(r));
      }
      case 6 -> cluster.network().setDefaults(new LinkConfig(Duration.ZERO, Duration.ofMillis(20), 0.05, 0.05));
      case 7 -> {
        Client c = clients.get(random.nextInt(clients.size()));
        if (c.session instanceof ReplicatedSession s && !s.state().isTerminal()) {
          s.disconnect();
          loop.schedule(ms(200 + random.nextInt(3000)), s::reconnect);
        }
      }
      default -> cluster.network().setDefaults(LinkConfig.PERFECT);
    }
    loop.schedule(ms(100 + random.nextInt(500)), this::fault);
  }

  void healEverything() {
    faultsOn = false;
    cluster.heal();
    for (int id = 1; id <= cluster.size(); id++) {
      cluster.restart(id);
      cluster.resume(id);
    }
  }

  void crashAll() {
    for (int id = 1; id <= cluster.size(); id++) {
      cluster.crash(id);
    }
  }

  // ------------------------------------------------------------------ checks

  /** Whether a fresh session can write within {@code limit} (the liveness bound). */
  boolean writeSucceedsWithin(Duration limit) {
    CompletableFuture<Session> open = backend.openSession(SessionConfig.withTimeout(Duration.ofSeconds(5)));
    long deadline = loop.nowNanos() + limit.toNanos();
    if (!sim.runUntil(open::isDone, limit) || open.isCompletedExceptionally()) {
      return false;
    }
    Session s = open.join();
    CompletableFuture<?> write = s.create("/log/probe-", new byte[0], CreateMode.PERSISTENT_SEQUENTIAL);
    long left = Math.max(0, deadline - loop.nowNanos());
    boolean ok = sim.runUntil(write::isDone, Duration.ofNanos(left)) && !write.isCompletedExceptionally();
    s.close();
    return ok;
  }

  boolean replicasConverged() {
    int leader = cluster.leader();
    if (leader == 0) {
      return false;
    }
    long target = cluster.host(leader).raft().commitIndex();
    for (int id = 1; id <= cluster.size(); id++) {
      if (!cluster.host(id).isUp() || cluster.host(id).appliedIndex() < target) {
        return false;
      }
    }
    return true;
  }

  void checkFinalState() {
    byte[] reference = null;
    for (int id = 1; id <= cluster.size(); id++) {
      DataTree tree = cluster.service(id).tree();
      Children log = tree.getChildren("/log");
      for (String path : ackedAppends) {
        if (log == null || !log.names().contains(path.substring("/log/".length()))) {
          violations.add("acknowledged create " + path + " is missing on replica " + id);
        }
      }
      Set<Long> live = tree.sessions().keySet();
      for (long sid : expiredSessions) {
        if (live.contains(sid) || !tree.ephemerals(sid).isEmpty()) {
          violations.add("expired session 0x" + Long.toHexString(sid) + " still lives on replica " + id);
        }
      }
      Children eph = tree.getChildren("/eph");
      for (String name : eph.names()) {
        Stat st = tree.stat("/eph/" + name);
        if (!live.contains(st.ephemeralOwner())) {
          violations.add("ephemeral /eph/" + name + " outlived its session on replica " + id);
        }
      }
      byte[] snap = tree.snapshot();
      if (reference == null) {
        reference = snap;
      } else if (!Arrays.equals(reference, snap)) {
        violations.add("replica " + id + " ended with a different tree than replica 1");
      }
    }
    history.forEach((key, ops) -> {
      if (!RegisterLinearizability.isLinearizable(ops)) {
        violations.add("history of " + key + " is not linearizable (" + ops.size() + " ops)");
      }
    });
  }

  String summary() {
    int ops = history.values().stream().mapToInt(List::size).sum();
    return cluster.size() + " replicas, " + completed + " client operations, " + ops + " register ops checked, "
        + ackedAppends.size() + " acknowledged appends, " + expiredSessions.size() + " sessions expired, "
        + appliedAt.size() + " log entries, " + sim.eventsRun() + " events";
  }

  String fingerprint() {
    return sim.eventsRun() + "/" + completed + "/" + appliedAt.size() + "/" + ackedAppends.size();
  }
}
