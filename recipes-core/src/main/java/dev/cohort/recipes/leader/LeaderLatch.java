package dev.cohort.recipes.leader;

import dev.cohort.recipes.Cohort;
import dev.cohort.recipes.ConnectionState;
import dev.cohort.recipes.ConnectionStateListener;
import dev.cohort.recipes.NodeNames;
import dev.cohort.recipes.OwnedNode;
import dev.cohort.recipes.locks.LockDecisions;
import dev.cohort.spi.CreateMode;
import dev.cohort.spi.NoNodeException;
import dev.cohort.spi.NodeData;
import dev.cohort.spi.Paths;
import dev.cohort.spi.WatchEvent;
import dev.cohort.spi.Watcher;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Leader election by latch: every participant queues an ephemeral-sequential node (a protected
 * create, carrying its id as data) under one path; the first node's owner leads. Each participant
 * watches only its predecessor, so a leader leaving wakes exactly its successor. A leader's close
 * marks its node's data in the multi that deletes it, so that successor leads on the watch event
 * alone; a participant leaving without leading, or a session ending, deletes without the mark, and
 * its successor lists again.
 *
 * <h2>How it works</h2>
 * The latch is event-driven and never blocks a backend thread: a snapshot of the children, the pure
 * decision {@link LockDecisions#exclusive}, then either leadership or one exists-watch on the
 * predecessor, whose event starts the next round. An {@code epoch} counter, bumped whenever the
 * latch's node is replaced, makes replies and events of an older node harmless.
 *
 * <h2>Safety across connection changes</h2>
 * <ul>
 *   <li>SUSPENDED: with {@link SuspendPolicy#RELEASE_ON_SUSPEND} (the default), {@link #hasLeadership()}
 *       turns false the instant the client reports it, and listeners hear {@code notLeader}.</li>
 *   <li>LOST: leadership ends; the node went with the session. When the client has a new session
 *       the latch queues a new node.</li>
 *   <li>RECONNECTED: before claiming leadership again the latch checks that its node still exists and
 *       is owned by the current session (same czxid, same owner); otherwise it queues a new node.</li>
 * </ul>
 * So two participants with live sessions never both report leadership for one term: a term is one
 * node, and a node's owner only reports leadership while its session is connected (or, under
 * KEEP_UNTIL_LOST, alive on the service, where its node blocks every other participant).
 *
 * <h2>What listeners hear</h2>
 * Leadership is claimed, and listeners are told, on the client's listener executor, in order with
 * the connection events this latch handles there; a claim is made only when both the client and
 * this latch's handled view say the connection is up. So each listener's calls strictly alternate
 * ({@code isLeader}, {@code notLeader}, ...) with one {@code notLeader} per term gained, and a
 * SUSPENDED handled before a gain never ends it. Under RELEASE_ON_SUSPEND a suspension ends the term
 * and a reconnect that finds the node intact reports the same term again; under KEEP_UNTIL_LOST a
 * suspension the session survives causes no calls. A listener added while the latch leads hears
 * that term's {@code notLeader} first; a silent {@link #close()} ends a term without one.
 */
public final class LeaderLatch implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(LeaderLatch.class);
  static final String NODE_NAME = "latch-";
  /** The data a leader writes into its node as its close deletes it. */
  private static final byte[] LEADER_LEFT = {'l'};

  private enum Lifecycle { LATENT, STARTED, CLOSED }

  private final Cohort client;
  private final String path;
  private final String id;
  private final SuspendPolicy suspendPolicy;
  private final byte[] idBytes;
  private final List<LeaderLatchListener> listeners = new CopyOnWriteArrayList<>();
  private final ConnectionStateListener connectionListener = this::connectionChanged;

  private final ReentrantLock lock = new ReentrantLock();
  private final Condition leadershipChanged = lock.newCondition();
  /** Guarded by lock. */
  private Lifecycle lifecycle = Lifecycle.LATENT;
  /** Guarded by lock: our current node, or null while none is queued. */
  private OwnedNode node;
  /** Guarded by lock: bumped whenever {@link #node} is replaced or dropped. */
  private long epoch;
  /** Guarded by lock: the term we lead in, or null. */
  private LeadershipTerm term;
  /**
   * Guarded by lock: the last connection state this latch has handled, which lags the client's
   * state by the events still queued on the listener executor. Leadership is only claimed when
   * both agree the connection is up (see {@link #claim}).
   */
  private ConnectionState handledState;

  private LeaderLatch(Builder b) {
    this.client = b.client;
    this.path = b.path;
    this.id = b.id;
    this.suspendPolicy = b.suspendPolicy;
    this.idBytes = id.getBytes(StandardCharsets.UTF_8);
  }

  /** A builder for a latch at {@code path} (relative to the client's namespace). */
  public static Builder builder(Cohort client, String path) {
    return new Builder(client, path);
  }

  /** The participant id. */
  public String id() {
    return id;
  }

  /** The latch's path. */
  public String path() {
    return path;
  }

  /** Adds a listener for leadership changes from now on. */
  public void addListener(LeaderLatchListener listener) {
    listeners.add(Objects.requireNonNull(listener, "listener"));
  }

  public void removeListener(LeaderLatchListener listener) {
    listeners.remove(listener);
  }

  /**
   * Joins the election. Returns at once; leadership is reported through {@link #hasLeadership()},
   * {@link #await} and listeners.
   *
   * @throws IllegalStateException if already started or closed
   */
  public void start() {
    lock.lock();
    try {
      if (lifecycle != Lifecycle.LATENT) {
        throw new IllegalStateException("latch already " + lifecycle.name().toLowerCase());
      }
      lifecycle = Lifecycle.STARTED;
    } finally {
      lock.unlock();
    }
    client.addConnectionStateListener(connectionListener);
    ConnectionState state = client.connectionState();
    lock.lock();
    try {
      // Every transition after this read reaches connectionChanged, so the view never goes stale.
      handledState = state;
    } finally {
      lock.unlock();
    }
    if (state != null && state.isConnected()) {
      requeue();
    }
  }

  /**
   * Whether this participant leads right now. False from the instant the client reports SUSPENDED
   * (under the default policy) or LOST, even before listeners hear of it.
   */
  public boolean hasLeadership() {
    lock.lock();
    try {
      return term != null && leadsNow(term);
    } finally {
      lock.unlock();
    }
  }

  /** The current term if this participant leads right now. */
  public Optional<LeadershipTerm> currentTerm() {
    lock.lock();
    try {
      return term != null && leadsNow(term) ? Optional.of(term) : Optional.empty();
    } finally {
      lock.unlock();
    }
  }

  private boolean leadsNow(LeadershipTerm t) {
    ConnectionState state = client.connectionState();
    boolean connected = state != null
        && (state.isConnected() || (state == ConnectionState.SUSPENDED && suspendPolicy == SuspendPolicy.KEEP_UNTIL_LOST));
    return connected && client.isLiveSession(t.sessionId());
  }

  /**
   * Waits until this participant leads or {@code timeout} passes.
   *
   * @return true if it leads
   * @throws IllegalStateException if the latch is not started (or closed while waiting)
   */
  public boolean await(Duration timeout) throws InterruptedException {
    long remaining = Objects.requireNonNull(timeout, "timeout").toNanos();
    lock.lock();
    try {
      while (true) {
        if (lifecycle != Lifecycle.STARTED) {
          throw new IllegalStateException("latch is " + lifecycle.name().toLowerCase());
        }
        if (term != null && leadsNow(term)) {
          return true;
        }
        if (remaining <= 0) {
          return false;
        }
        remaining = leadershipChanged.awaitNanos(remaining);
      }
    } finally {
      lock.unlock();
    }
  }

  /** Waits, without limit, until this participant leads. */
  public void await() throws InterruptedException {
    while (!await(Duration.ofDays(1))) {
      // keep waiting
    }
  }

  /** The participants in line order (the first leads), read now from the service. */
  public List<Participant> participants() throws InterruptedException {
    List<String> sorted;
    try {
      sorted = NodeNames.sortBySequence(client.blocking().getChildren(path, null).names());
    } catch (NoNodeException e) {
      return List.of();
    }
    List<Participant> result = new ArrayList<>(sorted.size());
    for (String name : sorted) {
      try {
        NodeData data = client.blocking().getData(Paths.join(path, name), null);
        result.add(new Participant(new String(data.data(), StandardCharsets.UTF_8), result.isEmpty()));
      } catch (NoNodeException e) {
        // left while we looked
      }
    }
    return result;
  }

  /** The current leader, read now from the service; empty if nobody is in line. */
  public Optional<Participant> leader() throws InterruptedException {
    List<Participant> all = participants();
    return all.isEmpty() ? Optional.empty() : Optional.of(all.get(0));
  }

  /** Leaves the election silently. */
  @Override
  public void close() {
    close(CloseMode.SILENT);
  }

  /**
   * Leaves the election: deletes this latch's node (only if it is still ours; in the background if
   * the connection is down), so the next participant takes over. Idempotent.
   */
  public void close(CloseMode mode) {
    OwnedNode old;
    LeadershipTerm ended;
    lock.lock();
    try {
      if (lifecycle == Lifecycle.CLOSED) {
        return;
      }
      lifecycle = Lifecycle.CLOSED;
      epoch++;
      old = node;
      node = null;
      ended = term;
      term = null;
      leadershipChanged.signalAll();
      if (ended != null && mode == CloseMode.NOTIFY_LEADER) {
        dispatch(ended, false);
      }
    } finally {
      lock.unlock();
    }
    client.removeConnectionStateListener(connectionListener);
    if (old != null && ended != null) {
      // A leader's node is the first in line: marking it as it goes tells the next participant that
      // it leads now, without another listing (see watchPredecessor).
      client.async().deleteIfOwned(old, LEADER_LEFT);
    } else if (old != null) {
      client.async().deleteIfOwned(old);
    }
  }

  // ---- the election loop (backend threads and the listener executor; never blocks) ----------

  /** Drops our node, if any, and queues a new one. */
  private void requeue() {
    OwnedNode old;
    long myEpoch;
    lock.lock();
    try {
      if (lifecycle != Lifecycle.STARTED) {
        return;
      }
      old = node;
      node = null;
      myEpoch = ++epoch;
      endTerm();
    } finally {
      lock.unlock();
    }
    if (old != null) {
      client.async().deleteIfOwned(old);
    }
    client.async().createProtected(path, NODE_NAME, idBytes, CreateMode.EPHEMERAL_SEQUENTIAL)
        .whenComplete((created, error) -> {
          if (error != null) {
            // a lost session or connection: the next RECONNECTED requeues
            log.debug("{}: could not queue: {}", this, error.toString());
            return;
          }
          boolean current;
          lock.lock();
          try {
            current = myEpoch == epoch && lifecycle == Lifecycle.STARTED;
            if (current) {
              node = created;
            }
          } finally {
            lock.unlock();
          }
          if (current) {
            checkLeadership(myEpoch, created);
          } else {
            client.async().deleteIfOwned(created);
          }
        });
  }

  private void checkLeadership(long myEpoch, OwnedNode ours) {
    client.async().getChildren(path, null).whenComplete((children, error) -> {
      if (error != null || !isCurrent(myEpoch)) {
        return;
      }
      List<String> sorted = NodeNames.sortBySequence(children.names());
      LockDecisions.Decision decision = LockDecisions.exclusive(sorted, ours.name());
      if (decision instanceof LockDecisions.Acquired) {
        becomeLeader(myEpoch, ours);
      } else if (decision instanceof LockDecisions.NodeMissing) {
        requeue();
      } else if (decision instanceof LockDecisions.WatchPredecessor w) {
        watchPredecessor(myEpoch, ours, Paths.join(path, w.name()));
      }
    });
  }

  /**
   * Watches the participant just before ours. A data change means it left as the leader (only a
   * leader's close marks its node, in the multi that deletes it), so every node before ours is gone
   * and we lead, without another listing; a deletion (a participant leaving without leading, or a
   * session ending) leads to a listing.
   */
  private void watchPredecessor(long myEpoch, OwnedNode ours, String predecessor) {
    Watcher watcher = (WatchEvent event) -> {
      if (!isCurrent(myEpoch)) {
        return;
      }
      if (event.type() == WatchEvent.Type.NODE_DATA_CHANGED && client.isLiveSession(ours.sessionId())) {
        becomeLeader(myEpoch, ours);
      } else {
        checkLeadership(myEpoch, ours);
      }
    };
    client.async().exists(predecessor, watcher).whenComplete((stat, error) -> {
      if (error == null && stat == null && isCurrent(myEpoch)) {
        checkLeadership(myEpoch, ours);
      }
    });
  }

  private boolean isCurrent(long myEpoch) {
    lock.lock();
    try {
      return myEpoch == epoch && lifecycle == Lifecycle.STARTED;
    } finally {
      lock.unlock();
    }
  }

  /**
   * Claims leadership on the listener executor, behind every connection event queued before it.
   * Claiming straight from a backend thread let a term gained after a reconnect be ended by the
   * older SUSPENDED still in the queue, so listeners heard isLeader, notLeader, isLeader for one
   * gain; in queue order, the SUSPENDED is handled first and the claim sees the connection up.
   */
  private void becomeLeader(long myEpoch, OwnedNode ours) {
    client.listenerExecutor().execute(() -> claim(myEpoch, ours));
  }

  private void claim(long myEpoch, OwnedNode ours) {
    lock.lock();
    try {
      if (myEpoch != epoch || lifecycle != Lifecycle.STARTED || term != null) {
        return;
      }
      ConnectionState state = client.connectionState();
      if (handledState == null || !handledState.isConnected()
          || state == null || !state.isConnected() || !client.isLiveSession(ours.sessionId())) {
        // a SUSPENDED or LOST is queued or handled; the RECONNECTED after it re-checks
        return;
      }
      term = new LeadershipTerm(id, ours.fencingToken(), ours.sessionId());
      leadershipChanged.signalAll();
      dispatch(term, true);
    } finally {
      lock.unlock();
    }
  }

  /** Ends the current term, if any. Caller holds lock. */
  private void endTerm() {
    if (term != null) {
      LeadershipTerm ended = term;
      term = null;
      leadershipChanged.signalAll();
      dispatch(ended, false);
    }
  }

  /** Queues listener calls; they run later on the listener executor, outside this lock. */
  private void dispatch(LeadershipTerm t, boolean gained) {
    for (LeaderLatchListener l : listeners) {
      client.listenerExecutor().execute(() -> {
        if (gained) {
          l.isLeader(t);
        } else {
          l.notLeader(t);
        }
      });
    }
  }

  private void connectionChanged(Cohort c, ConnectionState state) {
    lock.lock();
    try {
      handledState = state;
    } finally {
      lock.unlock();
    }
    switch (state) {
      case SUSPENDED -> {
        if (suspendPolicy == SuspendPolicy.RELEASE_ON_SUSPEND) {
          lock.lock();
          try {
            endTerm();
          } finally {
            lock.unlock();
          }
        }
      }
      case LOST -> {
        lock.lock();
        try {
          endTerm();
          epoch++;
          node = null; // went with the session: nothing to delete
        } finally {
          lock.unlock();
        }
      }
      case RECONNECTED -> verifyAfterReconnect();
      case CONNECTED -> { }
    }
  }

  /** Keeps our node only if it still exists and the current session owns it; else queues anew. */
  private void verifyAfterReconnect() {
    OwnedNode ours;
    long myEpoch;
    lock.lock();
    try {
      if (lifecycle != Lifecycle.STARTED) {
        return;
      }
      ours = node;
      myEpoch = epoch;
    } finally {
      lock.unlock();
    }
    if (ours == null || !client.isLiveSession(ours.sessionId())) {
      requeue();
      return;
    }
    client.async().exists(ours.path(), null).whenComplete((stat, error) -> {
      if (error != null || !isCurrent(myEpoch)) {
        return;
      }
      if (stat != null && stat.czxid() == ours.czxid() && stat.ephemeralOwner() == client.sessionId()) {
        checkLeadership(myEpoch, ours);
      } else {
        requeue();
      }
    });
  }

  @Override
  public String toString() {
    return "LeaderLatch[" + path + ", " + id + "]";
  }

  /** Configures a {@link LeaderLatch}. */
  public static final class Builder {
    private final Cohort client;
    private final String path;
    private String id = "";
    private SuspendPolicy suspendPolicy = SuspendPolicy.RELEASE_ON_SUSPEND;

    private Builder(Cohort client, String path) {
      this.client = Objects.requireNonNull(client, "client");
      Objects.requireNonNull(path, "path");
      Paths.validate(path);
      this.path = path;
    }

    /** The participant id others see in {@link LeaderLatch#participants()}; default empty. */
    public Builder id(String id) {
      this.id = Objects.requireNonNull(id, "id");
      return this;
    }

    /** What leadership does while SUSPENDED; default {@link SuspendPolicy#RELEASE_ON_SUSPEND}. */
    public Builder suspendPolicy(SuspendPolicy policy) {
      this.suspendPolicy = Objects.requireNonNull(policy, "policy");
      return this;
    }

    public LeaderLatch build() {
      return new LeaderLatch(this);
    }
  }
}
