package dev.cohort.replicated.raft;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.function.Predicate;

/**
 * A synchronous, in-order message pump over a few {@link RaftNode}s for the paper-section tests:
 * it drains every node's {@link Ready}, keeps what each node persisted and applied, and delivers
 * messages until nothing moves, except across cut links or through a message filter.
 */
final class TestCluster {
  final Map<Integer, RaftNode> nodes = new HashMap<>();
  final Map<Integer, List<Entry>> persisted = new HashMap<>();
  final Map<Integer, HardState> hardStates = new HashMap<>();
  final Map<Integer, List<Entry>> applied = new HashMap<>();
  final Map<Integer, List<Ready>> readies = new HashMap<>();
  final List<Message> sent = new ArrayList<>();
  final Set<Integer> isolated = new HashSet<>();
  Predicate<Message> drop = m -> false;
  final int[] members;
  final RaftConfig config;

  TestCluster(int size, RaftConfig config, long seed) {
    this.config = config;
    members = new int[size];
    for (int i = 0; i < size; i++) {
      members[i] = i + 1;
    }
    for (int id : members) {
      nodes.put(id, RaftNode.create(id, members, config, new Random(seed + id)));
      persisted.put(id, new ArrayList<>());
      applied.put(id, new ArrayList<>());
      readies.put(id, new ArrayList<>());
    }
  }

  TestCluster(int size) {
    this(size, RaftConfig.DEFAULT, 42);
  }

  RaftNode node(int id) {
    return nodes.get(id);
  }

  /** Drains every node and delivers messages until the cluster is quiet. */
  void stabilize() {
    ArrayDeque<Message> queue = new ArrayDeque<>();
    for (int round = 0; round < 10_000; round++) {
      for (int id : members) {
        RaftNode n = nodes.get(id);
        if (n != null && n.hasReady()) {
          queue.addAll(drain(id));
        }
      }
      if (queue.isEmpty()) {
        return;
      }
      while (!queue.isEmpty()) {
        Message m = queue.poll();
        RaftNode target = nodes.get(m.to());
        if (target != null && !isolated.contains(m.to()) && !isolated.contains(m.from()) && !drop.test(m)) {
          target.step(m);
        }
      }
    }
    throw new AssertionError("cluster did not stabilize");
  }

  /** Handles one node's ready as a driver would, returning the messages it sends. */
  List<Message> drain(int id) {
    Ready rd = nodes.get(id).ready();
    readies.get(id).add(rd);
    if (rd.hardState() != null) {
      hardStates.put(id, rd.hardState());
    }
    List<Entry> log = persisted.get(id);
    if (rd.snapshot() != null) {
      log.clear();
      applied.get(id).clear();
    }
    for (Entry e : rd.entries()) {
      while (!log.isEmpty() && log.get(log.size() - 1).index() >= e.index()) {
        log.remove(log.size() - 1);
      }
      log.add(e);
    }
    sent.addAll(rd.messages());
    applied.get(id).addAll(rd.committed());
    return rd.messages();
  }

  void tick(int id, int times) {
    for (int i = 0; i < times; i++) {
      nodes.get(id).tick();
    }
  }

  /** Makes {@code id} leader by letting its election timeout pass while the others stay idle. */
  void elect(int id) {
    for (int other : members) {
      if (other != id && !isolated.contains(other)) {
        tick(other, config.electionTicks()); // ends their leader lease without reaching their timeout
      }
    }
    tick(id, 2 * config.electionTicks());
    stabilize();
    if (nodes.get(id).role() != RaftNode.Role.LEADER) {
      throw new AssertionError("node " + id + " did not become leader: " + nodes.get(id));
    }
  }

  /** Simulates a crash and restart from what {@code id} persisted. */
  void restart(int id, long seed) {
    HardState hs = hardStates.getOrDefault(id, HardState.INITIAL);
    nodes.put(id, RaftNode.restart(id, members, config, new Random(seed), hs, Snapshot.EMPTY,
        List.copyOf(persisted.get(id))));
    applied.get(id).clear();
  }

  static byte[] cmd(String s) {
    return s.getBytes(java.nio.charset.StandardCharsets.UTF_8);
  }

  static List<String> commands(List<Entry> entries) {
    List<String> out = new ArrayList<>();
    for (Entry e : entries) {
      if (!e.isNoop()) {
        out.add(new String(e.data(), java.nio.charset.StandardCharsets.UTF_8));
      }
    }
    return out;
  }
}
