package dev.cohort.replicated.raft;

import dev.cohort.replicated.raft.Message.Append;
import dev.cohort.replicated.raft.Message.AppendResponse;
import dev.cohort.replicated.raft.Message.InstallSnapshot;
import dev.cohort.replicated.raft.Message.RequestVote;
import dev.cohort.replicated.raft.Message.VoteResponse;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;

/**
 * The consensus core: one Raft replica as a pure, single-threaded state machine.
 *
 * <h2>How it is driven</h2>
 * A driver feeds it three kinds of input — {@link #tick()} (the passage of one unit of time),
 * {@link #step(Message)} (a message from a peer) and {@link #propose(byte[])} (a command to
 * replicate) — and then collects the output with {@link #ready()}: state to persist, messages to
 * send and entries newly committed. The node never reads a clock, starts a thread or does I/O; its
 * only randomness (the election timeout) comes from the {@link Random} it is given, so a seeded
 * driver replays a run exactly.
 *
 * <h2>Protocol</h2>
 * Raft as in Ongaro and Ousterhout (2014), with the refinements etcd-io/raft uses in practice:
 * <ul>
 *   <li><b>Pre-vote</b> (§9.6 of Ongaro's thesis): a would-be candidate first asks whether it could
 *       win without raising its term, so a replica that was cut off does not depose a healthy leader
 *       when it comes back.
 *   <li><b>Leader stickiness and check-quorum</b>: a follower that heard from a leader within the
 *       minimum election timeout ignores vote requests; a leader that has not heard from a majority
 *       for an election timeout steps down, so an isolated leader stops serving.
 *   <li><b>Batching and pipelining</b>: proposals only append to the leader's log; appends are sent
 *       from {@link #ready()}, so every proposal made between two calls travels in one message, and
 *       up to {@link RaftConfig#maxInflightMessages()} messages are in flight per follower.
 *   <li><b>Commit by majority match index</b>, restricted to entries of the current term (§5.4.2);
 *       a new leader appends a no-op to commit its predecessors' entries.
 *   <li><b>Snapshots</b>: the driver {@link #compact compacts} the log behind a state machine
 *       snapshot; a follower that needs a compacted entry is sent the snapshot instead.
 * </ul>
 *
 * <h2>Invariants</h2>
 * At most one leader per term; a node votes at most once per term (its vote is in the hard state,
 * persisted before the vote is sent); {@code snapshot.index <= applied <= commit <= lastIndex}; a
 * committed entry is never truncated (a violation throws {@link IllegalStateException}, since it
 * would mean the driver broke the persist-before-send contract).
 */
public final class RaftNode {
  /** "No node": no vote cast, no leader known. */
  public static final int NONE = 0;

  /** The roles a node moves between. */
  public enum Role { FOLLOWER, PRE_CANDIDATE, CANDIDATE, LEADER }

  private final int id;
  private final int[] peers;
  private final RaftConfig config;
  private final Random random;
  private final int quorum;

  private long term;
  private int votedFor;
  private Role role = Role.FOLLOWER;
  private int leader = NONE;
  private final RaftLog log;
  private long commit;
  private long applied;

  private int electionElapsed;
  private int heartbeatElapsed;
  private int randomizedElectionTimeout;
  private final Map<Integer, Progress> progress = new LinkedHashMap<>();
  private final Set<Integer> granted = new HashSet<>();
  private final Set<Integer> rejected = new HashSet<>();

  // Output accumulated for the next ready().
  private final List<Message> outbox = new ArrayList<>();
  private long unstableFrom;
  private Snapshot pendingSnapshot;
  private HardState lastHardState;

  private RaftNode(int id, int[] members, RaftConfig config, Random random, HardState hard, Snapshot snapshot,
      List<Entry> entries) {
    if (id == NONE) {
      throw new IllegalArgumentException("node id 0 is reserved");
    }
    if (Arrays.stream(members).noneMatch(m -> m == id)) {
      throw new IllegalArgumentException("node " + id + " is not among the members " + Arrays.toString(members));
    }
    if (Arrays.stream(members).distinct().count() != members.length) {
      throw new IllegalArgumentException("duplicate member ids: " + Arrays.toString(members));
    }
    this.id = id;
    this.peers = Arrays.stream(members).filter(m -> m != id).sorted().toArray();
    this.config = config;
    this.random = random;
    this.quorum = members.length / 2 + 1;
    this.log = new RaftLog(snapshot, entries);
    this.term = hard.term();
    this.votedFor = hard.votedFor();
    this.commit = Math.max(snapshot.index(), Math.min(hard.commit(), log.lastIndex()));
    this.applied = snapshot.index();
    this.unstableFrom = log.lastIndex() + 1;
    this.lastHardState = new HardState(term, votedFor, commit);
    resetRandomizedElectionTimeout();
  }

  /** A node that has never run, in a cluster of {@code members}. */
  public static RaftNode create(int id, int[] members, RaftConfig config, Random random) {
    return new RaftNode(id, members, config, random, HardState.INITIAL, Snapshot.EMPTY, List.of());
  }

  /**
   * A node restarted from what it persisted: the hard state, the latest snapshot and the entries
   * after it. Committed entries after the snapshot come out of {@link #ready()} again, for the
   * driver to re-apply on top of the snapshot.
   */
  public static RaftNode restart(int id, int[] members, RaftConfig config, Random random, HardState hard,
      Snapshot snapshot, List<Entry> entries) {
    return new RaftNode(id, members, config, random, hard, snapshot, entries);
  }

  // ---------------------------------------------------------------- inputs

  /** One unit of time passes. */
  public void tick() {
    electionElapsed++;
    if (role == Role.LEADER) {
      heartbeatElapsed++;
      if (electionElapsed >= config.electionTicks()) {
        electionElapsed = 0;
        if (!checkQuorum()) {
          becomeFollower(term, NONE);
          return;
        }
      }
      if (heartbeatElapsed >= config.heartbeatTicks()) {
        heartbeatElapsed = 0;
        heartbeat();
      }
    } else if (electionElapsed >= randomizedElectionTimeout) {
      electionElapsed = 0;
      campaign(true);
    }
  }

  /**
   * Appends a command to the log if this node leads.
   *
   * @return the index the command will have if it commits, or -1 if this node is not the leader
   *     (the driver then forwards it to {@link #leader()})
   */
  public long propose(byte[] data) {
    if (role != Role.LEADER) {
      return -1;
    }
    if (data.length == 0) {
      throw new IllegalArgumentException("an empty command is reserved for the leader's no-op");
    }
    return appendAsLeader(data);
  }

  /** Starts an election now, as if the election timeout had passed (used to hand over quickly). */
  public void campaign() {
    if (role != Role.LEADER) {
      campaign(true);
    }
  }

  /** Handles a message from a peer. Messages not addressed to this node are ignored. */
  public void step(Message m) {
    if (m.to() != id || m.from() == id) {
      return;
    }
    if (m.term() > term) {
      if (m instanceof RequestVote rv) {
        boolean inLease = leader != NONE && electionElapsed < config.electionTicks();
        if (inLease) {
          return; // a healthy leader exists: do not let a disruptive candidate depose it
        }
        if (rv.preVote()) {
          handleVote(rv);
          return; // a pre-vote never changes our term
        }
        becomeFollower(m.term(), NONE);
      } else if (m instanceof VoteResponse vr && vr.preVote() && vr.granted()) {
        // a granted pre-vote carries the term we asked about; not a sign of a newer leader
      } else {
        boolean fromLeader = m instanceof Append || m instanceof InstallSnapshot;
        becomeFollower(m.term(), fromLeader ? m.from() : NONE);
      }
    } else if (m.term() < term) {
      if (m instanceof Append || m instanceof InstallSnapshot) {
        // tell a stale leader about the newer term so it steps down
        send(new AppendResponse(id, m.from(), term, false, 0, log.lastIndex()));
      } else if (m instanceof RequestVote rv && rv.preVote()) {
        send(new VoteResponse(id, m.from(), term, false, true));
      }
      return;
    }
    dispatch(m);
  }

  private void dispatch(Message m) {
    if (m instanceof RequestVote rv) {
      handleVote(rv);
    } else if (m instanceof VoteResponse vr) {
      handleVoteResponse(vr);
    } else if (m instanceof Append a) {
      if (role != Role.FOLLOWER) {
        becomeFollower(term, a.from());
      }
      handleAppend(a);
    } else if (m instanceof InstallSnapshot s) {
      if (role != Role.FOLLOWER) {
        becomeFollower(term, s.from());
      }
      handleSnapshot(s);
    } else if (m instanceof AppendResponse r && role == Role.LEADER) {
      handleAppendResponse(r);
    }
  }

  /**
   * Tells the node that the state machine has captured everything up to {@code snapshot.index()},
   * so the log before it can go. The index must be applied already.
   */
  public void compact(Snapshot snapshot) {
    if (snapshot.index() > applied) {
      throw new IllegalArgumentException("cannot compact past the applied index " + applied + ": " + snapshot);
    }
    if (snapshot.index() <= log.snapshot().index()) {
      return;
    }
    if (log.term(snapshot.index()) != snapshot.term()) {
      throw new IllegalArgumentException("snapshot term does not match the log: " + snapshot);
    }
    log.compact(snapshot);
  }

  // ---------------------------------------------------------------- output

  /** Whether {@link #ready()} would return something. */
  public boolean hasReady() {
    return !outbox.isEmpty() || pendingSnapshot != null || unstableFrom <= log.lastIndex() || applied < commit
        || !currentHardState().equals(lastHardState) || (role == Role.LEADER && leaderHasSomethingToSend());
  }

  /**
   * Collects the work for the driver and marks it handed over (see {@link Ready} for the order in
   * which the driver must do it). Entries proposed since the last call are sent to followers now,
   * in as few messages as the batch size allows.
   */
  public Ready ready() {
    if (role == Role.LEADER) {
      for (int p : peers) {
        while (sendAppend(p, false)) {
          // keep filling the pipeline
        }
      }
    }
    HardState hs = currentHardState();
    HardState changed = hs.equals(lastHardState) ? null : hs;
    lastHardState = hs;
    Snapshot snap = pendingSnapshot;
    pendingSnapshot = null;
    List<Entry> toPersist = unstableFrom <= log.lastIndex()
        ? log.slice(unstableFrom, log.lastIndex(), Integer.MAX_VALUE) : List.of();
    unstableFrom = log.lastIndex() + 1;
    List<Entry> toApply = applied < commit ? log.slice(applied + 1, commit, Integer.MAX_VALUE) : List.of();
    applied = commit;
    List<Message> msgs = List.copyOf(outbox);
    outbox.clear();
    return new Ready(changed, snap, toPersist, msgs, toApply);
  }

  // ---------------------------------------------------------------- accessors

  public int id() {
    return id;
  }

  public Role role() {
    return role;
  }

  public long term() {
    return term;
  }

  /** The leader this node follows (itself if leading), or {@link #NONE}. */
  public int leader() {
    return leader;
  }

  public long commitIndex() {
    return commit;
  }

  public long lastIndex() {
    return log.lastIndex();
  }

  /** The index of the first entry still in the log (the one after the snapshot). */
  public long firstIndex() {
    return log.firstIndex();
  }

  /** The term of entry {@code index}, or -1 if compacted or absent. */
  public long termOf(long index) {
    return log.term(index);
  }

  /** Entries {@code from..to} inclusive still in the log (for tests and diagnostics). */
  public List<Entry> entries(long from, long to) {
    return log.slice(Math.max(from, log.firstIndex()), Math.min(to, log.lastIndex()), Integer.MAX_VALUE);
  }

  // ---------------------------------------------------------------- roles

  private void becomeFollower(long newTerm, int newLeader) {
    if (newTerm > term) {
      term = newTerm;
      votedFor = NONE;
    }
    role = Role.FOLLOWER;
    leader = newLeader;
    electionElapsed = 0;
    progress.clear();
    resetRandomizedElectionTimeout();
  }

  private void campaign(boolean preVote) {
    granted.clear();
    rejected.clear();
    granted.add(id);
    leader = NONE;
    long askTerm;
    if (preVote) {
      role = Role.PRE_CANDIDATE;
      askTerm = term + 1;
    } else {
      role = Role.CANDIDATE;
      term++;
      votedFor = id;
      askTerm = term;
    }
    electionElapsed = 0;
    resetRandomizedElectionTimeout();
    if (granted.size() >= quorum) {
      if (preVote) {
        campaign(false);
      } else {
        becomeLeader();
      }
      return;
    }
    for (int p : peers) {
      send(new RequestVote(id, p, askTerm, log.lastIndex(), log.lastTerm(), preVote));
    }
  }

  private void becomeLeader() {
    role = Role.LEADER;
    leader = id;
    electionElapsed = 0;
    heartbeatElapsed = 0;
    progress.clear();
    for (int p : peers) {
      Progress pr = new Progress(log.lastIndex() + 1);
      pr.recentActive = true;
      progress.put(p, pr);
    }
    appendAsLeader(new byte[0]);
  }

  private long appendAsLeader(byte[] data) {
    long index = log.lastIndex() + 1;
    log.append(new Entry(term, index, data));
    unstableFrom = Math.min(unstableFrom, index);
    maybeCommit();
    return index;
  }

  // ---------------------------------------------------------------- elections

  private void handleVote(RequestVote rv) {
    boolean canVote = rv.preVote()
        ? rv.term() > term || votedFor == NONE || votedFor == rv.from()
        : votedFor == NONE || votedFor == rv.from();
    if (canVote && log.isUpToDate(rv.lastIndex(), rv.lastTerm())) {
      send(new VoteResponse(id, rv.from(), rv.term(), true, rv.preVote()));
      if (!rv.preVote()) {
        votedFor = rv.from();
        electionElapsed = 0;
      }
    } else {
      send(new VoteResponse(id, rv.from(), term, false, rv.preVote()));
    }
  }

  private void handleVoteResponse(VoteResponse vr) {
    boolean expected = vr.preVote() ? role == Role.PRE_CANDIDATE : role == Role.CANDIDATE;
    if (!expected) {
      return;
    }
    if (vr.preVote() && vr.granted() && vr.term() != term + 1) {
      return; // an answer to an older pre-vote round
    }
    (vr.granted() ? granted : rejected).add(vr.from());
    if (granted.size() >= quorum) {
      if (vr.preVote()) {
        campaign(false);
      } else {
        becomeLeader();
      }
    } else if (rejected.size() >= quorum) {
      becomeFollower(term, NONE);
    }
  }

  private void resetRandomizedElectionTimeout() {
    // strictly above electionTicks, so a follower's leader lease always ends before it campaigns
    randomizedElectionTimeout = config.electionTicks() + 1 + random.nextInt(config.electionTicks());
  }

  // ---------------------------------------------------------------- replication (follower)

  private void handleAppend(Append a) {
    leader = a.from();
    electionElapsed = 0;
    if (a.prevIndex() < commit) {
      // everything up to commit is settled; tell the leader where we stand
      send(new AppendResponse(id, a.from(), term, true, commit, log.lastIndex()));
      return;
    }
    if (log.term(a.prevIndex()) != a.prevTerm()) {
      send(new AppendResponse(id, a.from(), term, false, a.prevIndex(), log.lastIndex()));
      return;
    }
    for (Entry e : a.entries()) {
      long existing = log.term(e.index());
      if (existing == e.term()) {
        continue;
      }
      if (existing != -1) {
        if (e.index() <= commit) {
          throw new IllegalStateException("node " + id + " would truncate committed entry " + e.index());
        }
        log.truncateFrom(e.index());
      }
      log.append(e);
      unstableFrom = Math.min(unstableFrom, e.index());
    }
    long lastNew = a.prevIndex() + a.entries().size();
    commit = Math.max(commit, Math.min(a.commit(), lastNew));
    send(new AppendResponse(id, a.from(), term, true, lastNew, log.lastIndex()));
  }

  private void handleSnapshot(InstallSnapshot s) {
    leader = s.from();
    electionElapsed = 0;
    Snapshot snap = s.snapshot();
    if (snap.index() <= commit) {
      send(new AppendResponse(id, s.from(), term, true, commit, log.lastIndex()));
      return;
    }
    if (log.term(snap.index()) == snap.term()) {
      // we already hold the entries the snapshot covers: just learn they are committed
      commit = snap.index();
    } else {
      log.restore(snap);
      commit = snap.index();
      applied = snap.index();
      pendingSnapshot = snap;
      unstableFrom = snap.index() + 1;
    }
    send(new AppendResponse(id, s.from(), term, true, snap.index(), log.lastIndex()));
  }

  // ---------------------------------------------------------------- replication (leader)

  private void handleAppendResponse(AppendResponse r) {
    Progress pr = progress.get(r.from());
    if (pr == null) {
      return;
    }
    pr.recentActive = true;
    if (!r.success()) {
      if (r.index() <= pr.match) {
        return; // stale rejection of something since acknowledged
      }
      pr.next = Math.max(pr.match + 1, Math.min(r.index(), r.hint() + 1));
      pr.becomeProbe();
      sendAppend(r.from(), false);
      return;
    }
    if (pr.inflight > 0) {
      pr.inflight--;
    }
    if (r.index() > pr.match) {
      pr.match = r.index();
      pr.next = Math.max(pr.next, pr.match + 1);
      if (pr.state == Progress.State.PROBE
          || (pr.state == Progress.State.SNAPSHOT && pr.match >= pr.pendingSnapshot)) {
        pr.becomeReplicate();
      }
      maybeCommit();
    } else if (pr.state == Progress.State.PROBE) {
      pr.probeSent = false;
    }
  }

  /**
   * Sends the follower its next batch if the pipeline allows.
   *
   * @param force send even an empty append (a heartbeat)
   * @return whether a message carrying entries went out and another might follow
   */
  private boolean sendAppend(int to, boolean force) {
    Progress pr = progress.get(to);
    switch (pr.state) {
      case SNAPSHOT -> {
        if (force) {
          send(new Append(id, to, term, pr.match, log.term(pr.match) < 0 ? 0 : log.term(pr.match), List.of(),
              Math.min(commit, pr.match)));
        }
        return false;
      }
      case PROBE -> {
        if (pr.probeSent && !force) {
          return false;
        }
      }
      case REPLICATE -> {
        if (pr.inflight >= config.maxInflightMessages() && !force) {
          return false;
        }
      }
    }
    long prev = pr.next - 1;
    long prevTerm = log.term(prev);
    if (prevTerm < 0) {
      Snapshot snap = log.snapshot();
      send(new InstallSnapshot(id, to, term, snap));
      pr.state = Progress.State.SNAPSHOT;
      pr.pendingSnapshot = snap.index();
      return false;
    }
    List<Entry> batch = log.slice(pr.next, log.lastIndex(), config.maxEntriesPerMessage());
    if (batch.isEmpty() && !force) {
      return false;
    }
    send(new Append(id, to, term, prev, prevTerm, batch, commit));
    if (pr.state == Progress.State.PROBE) {
      pr.probeSent = true;
      return false;
    }
    if (!batch.isEmpty()) {
      pr.next = batch.get(batch.size() - 1).index() + 1;
      pr.inflight++;
    }
    return !batch.isEmpty();
  }

  private boolean leaderHasSomethingToSend() {
    for (Progress pr : progress.values()) {
      if (pr.next <= log.lastIndex() && pr.state != Progress.State.SNAPSHOT
          && !(pr.state == Progress.State.PROBE && pr.probeSent)
          && !(pr.state == Progress.State.REPLICATE && pr.inflight >= config.maxInflightMessages())) {
        return true;
      }
    }
    return false;
  }

  private void heartbeat() {
    for (int p : peers) {
      Progress pr = progress.get(p);
      // A follower behind us that made no progress for a whole heartbeat interval has probably
      // lost a message: fall back to probing from what it acknowledged, which resends the rest.
      if (pr.match < log.lastIndex() && pr.match == pr.matchAtLastHeartbeat
          && pr.state != Progress.State.SNAPSHOT) {
        pr.next = pr.match + 1;
        pr.becomeProbe();
      } else if (pr.state == Progress.State.SNAPSHOT && pr.match == pr.matchAtLastHeartbeat) {
        pr.next = pr.match + 1;
        pr.becomeProbe(); // the snapshot may have been lost: try again
      }
      pr.matchAtLastHeartbeat = pr.match;
      sendAppend(p, true);
    }
  }

  private boolean checkQuorum() {
    int active = 1;
    for (Progress pr : progress.values()) {
      if (pr.recentActive) {
        active++;
      }
      pr.recentActive = false;
    }
    return active >= quorum;
  }

  private void maybeCommit() {
    long[] matches = new long[peers.length + 1];
    int i = 0;
    matches[i++] = log.lastIndex();
    for (Progress pr : progress.values()) {
      matches[i++] = pr.match;
    }
    Arrays.sort(matches);
    long majority = matches[matches.length - quorum];
    if (majority > commit && log.term(majority) == term) {
      commit = majority;
    }
  }

  private HardState currentHardState() {
    return new HardState(term, votedFor, commit);
  }

  private void send(Message m) {
    outbox.add(m);
  }

  @Override
  public String toString() {
    return "RaftNode[" + id + " " + role + " term=" + term + " leader=" + leader + " commit=" + commit
        + " last=" + log.lastIndex() + " " + progress + "]";
  }
}
