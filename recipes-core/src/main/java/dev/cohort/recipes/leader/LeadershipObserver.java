package dev.cohort.recipes.leader;

import dev.cohort.recipes.Cohort;
import dev.cohort.recipes.ConnectionState;
import dev.cohort.recipes.ConnectionStateListener;
import dev.cohort.recipes.Deadline;
import dev.cohort.recipes.NodeNames;
import dev.cohort.spi.ConnectionLossException;
import dev.cohort.spi.CoordinationException;
import dev.cohort.spi.NoNodeException;
import dev.cohort.spi.Paths;
import dev.cohort.spi.Stat;
import dev.cohort.spi.Watcher;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.ReentrantLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Who leads an election, seen from outside it: for a process that must know the leader (to route
 * requests to it, to show it) without standing for election. Built on the path a {@link
 * LeaderLatch} or {@link LeaderSelector} uses; it reports the current leader's {@link
 * LeadershipTerm} (participant id, fencing token, owning session) through {@link
 * #currentLeader()} and tells {@link LeadershipObserverListener}s of every change.
 *
 * <h2>How it works</h2>
 * The observer never writes: it creates no node and so never joins the line. It lists the line once
 * and reads the first node (the leader's) with a data watch, which is the only watch it keeps: so
 * participants joining or leaving behind the leader never wake it (herd-free), and a change of
 * leader costs one event and two reads (a listing and the new head's data). While nobody is in line
 * it watches the election's children (or, before the path exists, the path), to see the first
 * participant arrive. Every step is numbered by a {@code round}: an event, a reconnect or a close
 * starts a new round, and a reply or event of an older one does nothing.
 *
 * <h2>Reports</h2>
 * A term is told apart by its fencing token, the czxid of its node; tokens only grow from one term
 * to the next (a node created later has a larger czxid, and the first node in line was created
 * before every node behind it). The observer reports a term only if its token is larger than every
 * token reported before, and "no leader" only after a term: so a read repeated after a reconnect,
 * a retried read after a lost reply, or a stale read never reports a term twice or goes back to an
 * older one. Terms that began and ended while the observer could not see (between two reads, or
 * while it was disconnected) are not reported: the observer reports the leader it reads, not every
 * term there was.
 *
 * <h2>Across connection changes</h2>
 * <ul>
 *   <li>SUSPENDED: the observer reports nothing and {@link #currentLeader()} keeps the last leader
 *       it read. Its own connection says nothing about the leader's: the leader's term goes on
 *       while its session lives, and a participant's suspension is not visible to anyone else.
 *       Callers that must not act on a possibly stale view check the client's connection state.</li>
 *   <li>RECONNECTED (same session or, after LOST, a new one): the observer drops its watch and
 *       reads again, reporting only what changed meanwhile.</li>
 *   <li>LOST: its watch went with the session; nothing is reported until the client's next
 *       session reads again.</li>
 * </ul>
 *
 * <p>Thread-safe. Listeners run on the client's listener executor, never under the observer's
 * lock, in the order the observer decided the reports.
 */
public final class LeadershipObserver implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(LeadershipObserver.class);

  private enum Lifecycle { LATENT, STARTED, CLOSED }

  /** A watch the observer set: where, and with which watcher object (needed to remove it). */
  private record Watch(String path, Watcher watcher) {}

  private final Cohort client;
  private final String path;
  private final List<LeadershipObserverListener> listeners = new CopyOnWriteArrayList<>();
  private final ConnectionStateListener connectionListener = this::connectionChanged;
  private final Outbox outbox;
  /** Times a watch woke the observer; for herd tests. */
  private final AtomicLong wakeups = new AtomicLong();
  /** Times a read settled who leads; for tests. */
  private final AtomicLong reads = new AtomicLong();

  private final ReentrantLock lock = new ReentrantLock();
  /** Guarded by lock. */
  private Lifecycle lifecycle = Lifecycle.LATENT;
  /** Guarded by lock: bumped by every event, reconnect and close; older steps do nothing. */
  private long round;
  /** Guarded by lock: the watch set now, or null. */
  private Watch watch;
  /** Guarded by lock: whether anything was reported yet. */
  private boolean reportedOnce;
  /** Guarded by lock: the leader last reported, or null for none. */
  private LeadershipTerm known;
  /** Guarded by lock: the largest token ever reported, 0 for none. */
  private long newestToken;
  /** Guarded by lock: failures of the service in a row, for the retry backoff. */
  private int failures;

  private LeadershipObserver(Builder b) {
    this.client = b.client;
    this.path = b.path;
    this.outbox = new Outbox(client.listenerExecutor());
  }

  /**
   * A builder for an observer of the election at {@code path} (relative to the client's
   * namespace), the path its participants' latch or selector was built with.
   *
   * @throws dev.cohort.spi.InvalidPathException if the path is invalid
   */
  public static Builder builder(Cohort client, String path) {
    return new Builder(client, path);
  }

  /** The election's path. */
  public String path() {
    return path;
  }

  /**
   * Adds a listener for changes from now on. Add listeners before {@link #start()} to hear the
   * first state read.
   */
  public void addListener(LeadershipObserverListener listener) {
    listeners.add(Objects.requireNonNull(listener, "listener"));
  }

  /** Removes a listener; it may still hear reports already decided. */
  public void removeListener(LeadershipObserverListener listener) {
    listeners.remove(listener);
  }

  /**
   * Starts observing. Returns at once; the first state read is reported to listeners.
   *
   * @throws IllegalStateException if already started or closed, or if the client is not started or
   *     closed
   */
  public void start() {
    client.checkUsable();
    lock.lock();
    try {
      if (lifecycle != Lifecycle.LATENT) {
        throw new IllegalStateException("observer already " + lifecycle.name().toLowerCase());
      }
      lifecycle = Lifecycle.STARTED;
    } finally {
      lock.unlock();
    }
    client.addConnectionStateListener(connectionListener);
    refresh(); // a read while the connection is down fails, and the next RECONNECTED reads again
  }

  /**
   * The leader as last read, without asking the service: empty before the first read, when nobody
   * leads, or after close. While the client is SUSPENDED or LOST this is the last leader seen (see
   * the class comment).
   */
  public Optional<LeadershipTerm> currentLeader() {
    lock.lock();
    try {
      return Optional.ofNullable(known);
    } finally {
      lock.unlock();
    }
  }

  /**
   * The participants in line order (the first leads), read now from the service: one listing and
   * one read per participant.
   *
   * @throws IllegalStateException if the client is not started or closed
   */
  public List<Participant> participants() throws InterruptedException {
    return Elections.participants(client, path);
  }

  /**
   * The current leader, read now from the service; empty if nobody is in line.
   *
   * @throws IllegalStateException if the client is not started or closed
   */
  public Optional<Participant> leader() throws InterruptedException {
    return Elections.leader(client, path);
  }

  /** Stops observing and removes the observer's watch. Idempotent; nothing is reported after it. */
  @Override
  public void close() {
    Watch abandoned;
    lock.lock();
    try {
      if (lifecycle == Lifecycle.CLOSED) {
        return;
      }
      boolean wasStarted = lifecycle == Lifecycle.STARTED;
      lifecycle = Lifecycle.CLOSED;
      round++;
      abandoned = watch;
      watch = null;
      known = null;
      if (!wasStarted) {
        return;
      }
    } finally {
      lock.unlock();
    }
    client.removeConnectionStateListener(connectionListener);
    removeWatch(abandoned);
  }

  long wakeups() {
    return wakeups.get();
  }

  long reads() {
    return reads.get();
  }

  // ---- the read loop (backend threads and the listener executor; never blocks) -------------

  /** Starts a new round: drops the watch set now and reads the line again. */
  private void refresh() {
    long r;
    Watch abandoned;
    lock.lock();
    try {
      if (lifecycle != Lifecycle.STARTED) {
        return;
      }
      r = ++round;
      abandoned = watch;
      watch = null;
    } finally {
      lock.unlock();
    }
    removeWatch(abandoned);
    list(r);
  }

  private void list(long r) {
    if (!isCurrent(r)) {
      return;
    }
    client.async().getChildren(path, null).whenComplete((children, error) -> {
      if (error != null && unwrap(error) instanceof NoNodeException) {
        watchPath(r);
      } else if (error != null) {
        failed(r, error);
      } else {
        List<String> sorted = NodeNames.sortBySequence(children.names());
        if (sorted.isEmpty()) {
          watchForFirst(r);
        } else {
          readHead(r, sorted.get(0));
        }
      }
    });
  }

  /** Reads the leader's node with the one watch the observer keeps while somebody leads. */
  private void readHead(long r, String head) {
    String headPath = Paths.join(path, head);
    Watcher watcher = event -> fired(r);
    if (!setWatch(r, headPath, watcher)) {
      return;
    }
    // getData, not exists: on a node already gone it sets no watch
    client.async().getData(headPath, watcher).whenComplete((data, error) -> {
      if (error != null && unwrap(error) instanceof NoNodeException) {
        forgetWatch(r, watcher);
        list(r); // left before we read it: the line has a new head
      } else if (error != null) {
        failed(r, error);
      } else {
        observed(r, Elections.termOf(data));
      }
    });
  }

  /** Nobody is in line: watch the children until the first participant arrives. */
  private void watchForFirst(long r) {
    Watcher watcher = event -> fired(r);
    if (!setWatch(r, path, watcher)) {
      return;
    }
    client.async().getChildren(path, watcher).whenComplete((children, error) -> {
      if (error != null && unwrap(error) instanceof NoNodeException) {
        forgetWatch(r, watcher);
        watchPath(r);
      } else if (error != null) {
        failed(r, error);
      } else if (children.names().isEmpty()) {
        observed(r, null);
      } else {
        // somebody arrived since the listing: watch the head instead
        if (forgetWatch(r, watcher)) {
          removeWatch(new Watch(path, watcher));
          readHead(r, NodeNames.sortBySequence(children.names()).get(0));
        }
      }
    });
  }

  /** The election's path does not exist yet: watch for its creation (its first participant's). */
  private void watchPath(long r) {
    Watcher watcher = event -> fired(r);
    if (!setWatch(r, path, watcher)) {
      return;
    }
    client.async().exists(path, watcher).whenComplete((Stat stat, Throwable error) -> {
      if (error != null) {
        failed(r, error);
      } else if (stat == null) {
        observed(r, null);
      } else if (forgetWatch(r, watcher)) {
        removeWatch(new Watch(path, watcher)); // created since the listing: list again
        list(r);
      }
    });
  }

  /** A watch of round {@code r} fired: whatever it says, read the line again. */
  private void fired(long r) {
    lock.lock();
    try {
      if (r != round || lifecycle != Lifecycle.STARTED) {
        return;
      }
      watch = null; // a one-shot watch is gone once it fired
    } finally {
      lock.unlock();
    }
    wakeups.incrementAndGet();
    refresh();
  }

  /**
   * A read of round {@code r} settled who leads ({@code term}, or null for nobody): report it if
   * it is news (see the class comment).
   */
  private void observed(long r, LeadershipTerm term) {
    lock.lock();
    try {
      if (r != round || lifecycle != Lifecycle.STARTED) {
        return;
      }
      reads.incrementAndGet();
      failures = 0;
      boolean news;
      if (!reportedOnce) {
        news = true;
      } else if (term == null) {
        news = known != null;
      } else {
        news = term.fencingToken().value() > newestToken;
      }
      if (!news) {
        return;
      }
      reportedOnce = true;
      known = term;
      if (term != null) {
        newestToken = term.fencingToken().value();
      }
      Optional<LeadershipTerm> report = Optional.ofNullable(term);
      for (LeadershipObserverListener l : listeners) {
        outbox.add(() -> l.leaderChanged(report));
      }
    } finally {
      lock.unlock();
    }
    outbox.flush();
  }

  /**
   * A step of round {@code r} failed. With the connection down, the next RECONNECTED reads again;
   * any other failure is logged at warn and read again after a backoff on the client's clock.
   */
  private void failed(long r, Throwable error) {
    Throwable cause = unwrap(error);
    if (client.isClosed() || !isCurrent(r)) {
      return;
    }
    ConnectionState state = client.connectionState();
    boolean connectionDown = state == null || !state.isConnected();
    boolean connectionTrouble = cause instanceof ConnectionLossException
        || (cause instanceof CoordinationException ce && ce.isSessionGone());
    if (connectionDown && connectionTrouble) {
      log.debug("{}: waiting for the connection: {}", this, cause.toString());
      return;
    }
    int attempt;
    lock.lock();
    try {
      attempt = ++failures;
    } finally {
      lock.unlock();
    }
    // doubling from 10 ms up to about 2.5 s; no jitter (recipe code draws no randomness of its own)
    Duration delay = Duration.ofMillis(10L << Math.min(attempt - 1, 8));
    if (connectionTrouble) {
      // the connection is back already (its RECONNECTED may have been handled before this failure)
      log.debug("{}: read failed as the connection changed; reading again in {} ms: {}", this, delay.toMillis(),
          cause.toString());
    } else {
      log.warn("{}: could not read the election (failure {} in a row); reading again in {} ms: {}", this, attempt,
          delay.toMillis(), cause.toString());
    }
    Deadline.after(client, delay).expiry().thenRun(() -> {
      if (isCurrent(r)) {
        refresh();
      }
    });
  }

  private void connectionChanged(Cohort c, ConnectionState state) {
    switch (state) {
      case CONNECTED, RECONNECTED -> refresh();
      case LOST -> {
        lock.lock();
        try {
          round++; // steps in flight are of the old session
          watch = null; // gone with the session
        } finally {
          lock.unlock();
        }
      }
      case SUSPENDED -> { }
    }
  }

  // ---- helpers -----------------------------------------------------------------------------

  private boolean isCurrent(long r) {
    lock.lock();
    try {
      return r == round && lifecycle == Lifecycle.STARTED;
    } finally {
      lock.unlock();
    }
  }

  /** Records the watch about to be set in round {@code r}; false if the round is over. */
  private boolean setWatch(long r, String watchPath, Watcher watcher) {
    lock.lock();
    try {
      if (r != round || lifecycle != Lifecycle.STARTED) {
        return false;
      }
      watch = new Watch(watchPath, watcher);
      return true;
    } finally {
      lock.unlock();
    }
  }

  /** Forgets {@code watcher} if it is still the one recorded; false if the round is over. */
  private boolean forgetWatch(long r, Watcher watcher) {
    lock.lock();
    try {
      if (watch != null && watch.watcher() == watcher) {
        watch = null;
      }
      return r == round && lifecycle == Lifecycle.STARTED;
    } finally {
      lock.unlock();
    }
  }

  private void removeWatch(Watch w) {
    if (w == null || client.isClosed()) {
      return;
    }
    try {
      client.async().removeWatches(w.path(), w.watcher()).exceptionally(e -> null); // gone with its session
    } catch (RuntimeException e) {
      log.debug("{}: could not remove a watch: {}", this, e.toString());
    }
  }

  private static Throwable unwrap(Throwable t) {
    while ((t instanceof CompletionException || t instanceof ExecutionException) && t.getCause() != null) {
      t = t.getCause();
    }
    return t;
  }

  @Override
  public String toString() {
    return "LeadershipObserver[" + path + "]";
  }

  /** Configures a {@link LeadershipObserver}. */
  public static final class Builder {
    private final Cohort client;
    private final String path;

    private Builder(Cohort client, String path) {
      this.client = Objects.requireNonNull(client, "client");
      Objects.requireNonNull(path, "path");
      Paths.validate(path);
      this.path = path;
    }

    /** Builds the observer; call {@link LeadershipObserver#start()} to begin. */
    public LeadershipObserver build() {
      return new LeadershipObserver(this);
    }
  }
}
