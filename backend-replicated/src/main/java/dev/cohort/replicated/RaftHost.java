package dev.cohort.replicated;

import dev.cohort.replicated.raft.Entry;
import dev.cohort.replicated.raft.Message;
import dev.cohort.replicated.raft.RaftConfig;
import dev.cohort.replicated.raft.RaftNode;
import dev.cohort.replicated.raft.Ready;
import dev.cohort.replicated.raft.Snapshot;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.function.IntFunction;
import java.util.function.Supplier;

/**
 * Drives one {@link RaftNode} on the event loop: ticks it, hands it messages, and carries out its
 * {@link Ready}s in the order that keeps them safe — persist, then send, then apply. It also models
 * the replica's faults: a crash throws away everything but the storage, a restart rebuilds from it,
 * and a pause (a long GC) freezes the replica while messages to it queue up.
 *
 * <p>Work is flushed once per loop turn, not once per input: every proposal and message that arrives
 * in one burst is answered by one ready, which is what turns many proposals into one append message.
 * Loop thread only.
 */
final class RaftHost {
  private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(RaftHost.class);

  /** The replicated state machine a host applies committed entries to. */
  interface Application {
    /** Applies a committed entry (no-ops included), in log order. */
    void apply(Entry entry);

    /** Replaces the whole state by a snapshot's. */
    void restore(Snapshot snapshot);

    /** The state after the last applied entry, serialized. */
    byte[] snapshot();

    /** Told after each ready whether this replica now leads, and in which term. */
    default void leadership(boolean leading, long term) {}
  }

  enum Status { UP, PAUSED, CRASHED }

  private final int id;
  private final int[] members;
  private final RaftConfig config;
  private final EventLoop loop;
  private final SimNetwork network;
  private final Random random;
  private final RaftStorage storage;
  private final Supplier<Application> appFactory;
  private final IntFunction<RaftHost> directory;
  private final long snapshotEvery;

  private Status status = Status.CRASHED;
  private RaftNode raft;
  private Application app;
  private long applied;
  private boolean flushScheduled;
  private boolean leading;
  private long leadingTerm;
  private final List<Message> heldWhilePaused = new ArrayList<>();
  private java.util.function.BiConsumer<Integer, Entry> applyObserver;

  RaftHost(int id, int[] members, RaftConfig config, EventLoop loop, SimNetwork network, Random random,
      RaftStorage storage, Supplier<Application> appFactory, IntFunction<RaftHost> directory, long snapshotEvery) {
    this.id = id;
    this.members = members.clone();
    this.config = config;
    this.loop = loop;
    this.network = network;
    this.random = random;
    this.storage = storage;
    this.appFactory = appFactory;
    this.directory = directory;
    this.snapshotEvery = snapshotEvery;
  }

  int id() {
    return id;
  }

  Status status() {
    return status;
  }

  boolean isUp() {
    return status == Status.UP;
  }

  /** The node, or null while crashed. */
  RaftNode raft() {
    return raft;
  }

  Application app() {
    return app;
  }

  long appliedIndex() {
    return applied;
  }

  boolean isLeader() {
    return status == Status.UP && raft.role() == RaftNode.Role.LEADER;
  }

  /** Tells {@code observer} of every entry this replica applies (for simulation checks). */
  void observeApplies(java.util.function.BiConsumer<Integer, Entry> observer) {
    this.applyObserver = observer;
  }

  /** Starts (or restarts after a crash) from what the storage holds. */
  void start() {
    if (status != Status.CRASHED) {
      throw new IllegalStateException("replica " + id + " is already running");
    }
    RaftStorage.Persisted p = storage.load();
    raft = RaftNode.restart(id, members, config, new Random(random.nextLong()), p.hardState(), p.snapshot(),
        p.entries());
    app = appFactory.get();
    if (p.snapshot().index() > 0) {
      app.restore(p.snapshot());
    }
    applied = p.snapshot().index();
    leading = false;
    status = Status.UP;
    requestFlush();
  }

  /** Loses everything but the storage; messages to the replica vanish until it restarts. */
  void crash() {
    status = Status.CRASHED;
    raft = null;
    app = null;
    heldWhilePaused.clear();
  }

  void pause() {
    if (status == Status.UP) {
      status = Status.PAUSED;
    }
  }

  void resume() {
    if (status == Status.PAUSED) {
      status = Status.UP;
      List<Message> held = List.copyOf(heldWhilePaused);
      heldWhilePaused.clear();
      held.forEach(raft::step);
      requestFlush();
    }
  }

  /** One tick of this replica's clock. */
  void tick() {
    if (status == Status.UP) {
      raft.tick();
      requestFlush();
    }
  }

  void receive(Message m) {
    if (status == Status.CRASHED) {
      return;
    }
    if (status == Status.PAUSED) {
      heldWhilePaused.add(m);
      return;
    }
    raft.step(m);
    requestFlush();
  }

  /** Proposes a command if this replica leads; returns its index or -1. */
  long propose(byte[] command) {
    if (!isLeader()) {
      return -1;
    }
    long index = raft.propose(command);
    requestFlush();
    return index;
  }

  /** Starts an election at once (a way to move leadership for tests and demos). */
  void campaign() {
    if (status == Status.UP) {
      raft.campaign();
      requestFlush();
    }
  }

  private void requestFlush() {
    if (!flushScheduled) {
      flushScheduled = true;
      loop.execute(this::flush);
    }
  }

  /** Carries out every pending ready: persist, then send, then apply. */
  void flush() {
    flushScheduled = false;
    if (status != Status.UP) {
      return;
    }
    while (raft.hasReady()) {
      Ready rd = raft.ready();
      if (rd.snapshot() != null) {
        storage.saveSnapshot(rd.snapshot());
      }
      storage.save(rd.hardState(), rd.entries());
      for (Message m : rd.messages()) {
        network.send(id, m.to(), m, msg -> {
          RaftHost target = directory.apply(msg.to());
          if (target != null) {
            target.receive(msg);
          }
        });
      }
      if (rd.snapshot() != null) {
        app.restore(rd.snapshot());
        applied = rd.snapshot().index();
      }
      for (Entry e : rd.committed()) {
        app.apply(e);
        applied = e.index();
        if (applyObserver != null) {
          applyObserver.accept(id, e);
        }
        if (status != Status.UP) {
          return; // the application crashed or paused this replica while applying
        }
      }
      maybeSnapshot();
    }
    boolean nowLeading = raft.role() == RaftNode.Role.LEADER;
    if (nowLeading != leading || (nowLeading && raft.term() != leadingTerm)) {
      leading = nowLeading;
      leadingTerm = raft.term();
      app.leadership(nowLeading, raft.term());
    }
  }

  private void maybeSnapshot() {
    if (snapshotEvery > 0 && applied - raft.firstIndex() + 1 >= snapshotEvery) {
      byte[] state;
      try {
        state = app.snapshot();
      } catch (RuntimeException e) {
        // compaction is an optimisation: keep the log whole rather than abandon this flush
        LOG.warn("replica {} could not snapshot its state at index {}; the log stays uncompacted", id, applied, e);
        return;
      }
      Snapshot snap = new Snapshot(applied, raft.termOf(applied), state);
      raft.compact(snap);
      storage.saveSnapshot(snap);
    }
  }

  @Override
  public String toString() {
    return "replica " + id + " " + status + (raft == null ? "" : " " + raft);
  }
}
