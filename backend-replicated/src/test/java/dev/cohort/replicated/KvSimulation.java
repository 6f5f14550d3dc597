package dev.cohort.replicated;

import dev.cohort.replicated.raft.Entry;
import dev.cohort.replicated.raft.RaftConfig;
import dev.cohort.replicated.raft.Snapshot;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;

/**
 * One deterministic simulation of the consensus layer: replicas ({@link RaftHost}) on a {@link
 * SimLoop} and {@link SimNetwork}, a key-value register machine as the application, clients that
 * write and read through the log, and random faults — all from one seed.
 *
 * <p>Safety is checked as the run goes (every replica's state after applying index {@code i} must
 * hash the same, so every replica applied the same sequence) and at the end (every acknowledged
 * write is in every replica's state, and each key's history is linearizable).
 */
final class KvSimulation {
  static final long MS = 1_000_000L;
  static final long TICK = 10 * MS;
  static final int KEYS = 3;
  static final long CLIENT_TIMEOUT = 2_000 * MS;

  final long seed;
  final Random random;
  final SimLoop loop = new SimLoop();
  final SimNetwork network;
  final int size;
  final RaftHost[] hosts;
  final MemoryStorage[] disks;
  final Map<Long, Long> chainAt = new HashMap<>();
  final List<String> violations = new ArrayList<>();
  final Map<String, List<RegisterLinearizability.Op>> history = new TreeMap<>();
  final Set<Long> acked = new HashSet<>();
  final Map<Long, PendingOp> pending = new HashMap<>();
  long nextOpId = 1;
  long completedOps;
  boolean faultsOn;

  record PendingOp(long id, int node, long invoke, boolean write, String key, String value) {}

  KvSimulation(long seed, int size) {
    this.seed = seed;
    this.random = new Random(seed);
    this.size = size;
    this.network = new SimNetwork(loop, random);
    int[] members = new int[size];
    for (int i = 0; i < size; i++) {
      members[i] = i + 1;
    }
    hosts = new RaftHost[size + 1];
    disks = new MemoryStorage[size + 1];
    RaftConfig cfg = new RaftConfig(10, 1, 64, 8);
    for (int id = 1; id <= size; id++) {
      int me = id;
      disks[id] = new MemoryStorage();
      hosts[id] = new RaftHost(id, members, cfg, loop, network, random, disks[id], () -> new KvApp(me),
          i -> i >= 1 && i <= size ? hosts[i] : null, 50);
    }
    for (int id = 1; id <= size; id++) {
      hosts[id].start();
      long offset = random.nextInt((int) TICK);
      RaftHost h = hosts[id];
      loop.schedule(offset, new Runnable() {
        @Override
        public void run() {
          h.tick();
          loop.schedule(TICK, this);
        }
      });
    }
  }

  // ------------------------------------------------------------------ the application

  /** A register per key plus the set of applied op ids and a hash chain over the applied log. */
  final class KvApp implements RaftHost.Application {
    final int node;
    TreeMap<String, String> values = new TreeMap<>();
    Set<Long> appliedOps = new HashSet<>();
    long chain;

    KvApp(int node) {
      this.node = node;
    }

    @Override
    public void apply(Entry e) {
      chain = chain * 1_000_003L + e.term() * 31 + java.util.Arrays.hashCode(e.data());
      Long other = chainAt.putIfAbsent(e.index(), chain);
      if (other != null && other != chain) {
        violations.add("replica " + node + " diverged at index " + e.index());
      }
      if (e.isNoop()) {
        return;
      }
      String[] f = new String(e.data(), StandardCharsets.UTF_8).split("\\|", -1);
      long opId = Long.parseLong(f[0]);
      String result;
      if (f[1].equals("W")) {
        values.put(f[2], f[3]);
        result = f[3];
      } else {
        result = values.get(f[2]);
      }
      appliedOps.add(opId);
      PendingOp p = pending.get(opId);
      if (p != null && p.node == node) {
        complete(p, result);
      }
    }

    @Override
    public void restore(Snapshot s) {
      try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(s.data()))) {
        chain = in.readLong();
        values = new TreeMap<>();
        int n = in.readInt();
        for (int i = 0; i < n; i++) {
          values.put(in.readUTF(), in.readUTF());
        }
        appliedOps = new HashSet<>();
        int m = in.readInt();
        for (int i = 0; i < m; i++) {
          appliedOps.add(in.readLong());
        }
      } catch (IOException ex) {
        throw new UncheckedIOException(ex);
      }
      Long other = chainAt.putIfAbsent(s.index(), chain);
      if (other != null && other != chain) {
        violations.add("replica " + node + " installed a snapshot that diverges at " + s.index());
      }
    }

    @Override
    public byte[] snapshot() {
      ByteArrayOutputStream bytes = new ByteArrayOutputStream();
      try (DataOutputStream out = new DataOutputStream(bytes)) {
        out.writeLong(chain);
        out.writeInt(values.size());
        for (Map.Entry<String, String> kv : values.entrySet()) {
          out.writeUTF(kv.getKey());
          out.writeUTF(kv.getValue());
        }
        out.writeInt(appliedOps.size());
        for (long id : new java.util.TreeSet<>(appliedOps)) {
          out.writeLong(id);
        }
      } catch (IOException ex) {
        throw new UncheckedIOException(ex);
      }
      return bytes.toByteArray();
    }
  }

  // ------------------------------------------------------------------ clients

  void startClients(int clients) {
    for (int c = 0; c < clients; c++) {
      loop.schedule(random.nextInt(20) * MS, this::issue);
    }
  }

  private void issue() {
    long id = nextOpId++;
    String key = "k" + random.nextInt(KEYS);
    boolean write = random.nextInt(3) != 0;
    String value = write ? "v" + id : null;
    attempt(id, key, write, value, loop.nowNanos(), 0);
  }

  private void attempt(long id, String key, boolean write, String value, long invoke, int tries) {
    if (loop.nowNanos() - invoke > CLIENT_TIMEOUT) {
      // never proposed anywhere: it cannot take effect; the client moves on
      loop.schedule(random.nextInt(10) * MS, this::issue);
      return;
    }
    int node = leaderGuess();
    byte[] cmd = (id + "|" + (write ? "W" : "R") + "|" + key + "|" + (value == null ? "" : value))
        .getBytes(StandardCharsets.UTF_8);
    PendingOp p = new PendingOp(id, node, invoke, write, key, value);
    pending.put(id, p);
    if (hosts[node].propose(cmd) < 0) {
      pending.remove(id);
      loop.schedule((5 + random.nextInt(20)) * MS, () -> attempt(id, key, write, value, invoke, tries + 1));
      return;
    }
    loop.schedule(CLIENT_TIMEOUT, () -> {
      if (pending.remove(id) != null) {
        if (write) {
          record(key, new RegisterLinearizability.Op(invoke, Long.MAX_VALUE, true, value));
        }
        issue();
      }
    });
  }

  private int leaderGuess() {
    for (int id = 1; id <= size; id++) {
      if (hosts[id].isLeader()) {
        return id; // clients learn the leader the way real ones would, by redirects; this is the shortcut
      }
    }
    return 1 + random.nextInt(size);
  }

  private void complete(PendingOp p, String result) {
    pending.remove(p.id);
    completedOps++;
    if (p.write) {
      acked.add(p.id);
    }
    record(p.key, new RegisterLinearizability.Op(p.invoke, loop.nowNanos(), p.write, p.write ? p.value : result));
    loop.schedule((10 + random.nextInt(50)) * MS, this::issue); // think time keeps histories checkable
  }

  private void record(String key, RegisterLinearizability.Op op) {
    history.computeIfAbsent(key, k -> new ArrayList<>()).add(op);
  }

  // ------------------------------------------------------------------ faults

  void startFaults() {
    faultsOn = true;
    loop.schedule(100 * MS, this::fault);
  }

  private void fault() {
    if (!faultsOn) {
      return;
    }
    int node = 1 + random.nextInt(size);
    switch (random.nextInt(8)) {
      case 0 -> {
        if (hosts[node].status() != RaftHost.Status.CRASHED) {
          hosts[node].crash();
        }
      }
      case 1, 2 -> {
        if (hosts[node].status() == RaftHost.Status.CRASHED) {
          hosts[node].start();
        }
      }
      case 3 -> {
        for (int a = 1; a <= size; a++) {
          for (int b = a + 1; b <= size; b++) {
            if (random.nextBoolean()) {
              network.cutBoth(a, b);
            }
          }
        }
      }
      case 4 -> network.healAll();
      case 5 -> {
        hosts[node].pause();
        loop.schedule((100 + random.nextInt(2000)) * MS, hosts[node]::resume);
      }
      case 6 -> network.setDefaults(new LinkConfig(java.time.Duration.ZERO, java.time.Duration.ofMillis(30),
          0.05, 0.05));
      default -> network.setDefaults(LinkConfig.PERFECT);
    }
    loop.schedule((50 + random.nextInt(400)) * MS, this::fault);
  }

  void healEverything() {
    faultsOn = false;
    network.healAll();
    for (int id = 1; id <= size; id++) {
      if (hosts[id].status() == RaftHost.Status.CRASHED) {
        hosts[id].start();
      } else {
        hosts[id].resume();
      }
    }
  }

  void crashAll() {
    for (int id = 1; id <= size; id++) {
      if (hosts[id].status() != RaftHost.Status.CRASHED) {
        hosts[id].crash();
      }
    }
  }

  // ------------------------------------------------------------------ checks

  boolean hasLeader() {
    for (int id = 1; id <= size; id++) {
      if (hosts[id].isLeader()) {
        return true;
      }
    }
    return false;
  }

  boolean allCaughtUp() {
    long target = -1;
    for (int id = 1; id <= size; id++) {
      if (hosts[id].isLeader()) {
        target = hosts[id].raft().commitIndex();
      }
    }
    if (target < 0) {
      return false;
    }
    for (int id = 1; id <= size; id++) {
      if (hosts[id].appliedIndex() < target) {
        return false;
      }
    }
    return true;
  }

  void checkFinalState() {
    for (int id = 1; id <= size; id++) {
      KvApp app = (KvApp) hosts[id].app();
      for (long op : acked) {
        if (!app.appliedOps.contains(op)) {
          violations.add("acknowledged write " + op + " is missing on replica " + id);
        }
      }
    }
    history.forEach((key, ops) -> {
      if (!RegisterLinearizability.isLinearizable(ops)) {
        violations.add("history of " + key + " is not linearizable (" + ops.size() + " ops)");
      }
    });
  }

  /** A fingerprint of the run: two runs of one seed must produce equal ones. */
  String fingerprint() {
    return loop.executed() + "/" + network.sent() + "/" + completedOps + "/" + chainAt.size() + "/"
        + chainAt.getOrDefault((long) chainAt.size(), 0L);
  }
}
