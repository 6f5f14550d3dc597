package dev.cohort.replicated;

import dev.cohort.spi.Session;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.OptionalInt;

/**
 * Failures to inject into a running {@link ReplicatedBackend}, and what to observe about them.
 * Replicas are numbered from 1. Every method is thread-safe, takes effect before it returns, and
 * throws {@link IllegalArgumentException} for a replica number out of range or a session of
 * another backend (changing nothing).
 *
 * <p>What the sessions see follows from the fault, as in production: a crash resets the
 * connections of the sessions attached to the replica, which move to another one within their
 * timeout; a replica cut off from the leader stops answering its sessions, which move too; a
 * paused replica (a long GC) answers nothing until resumed, and then handles what queued up.
 */
public final class ReplicatedFaults {
  private static final Duration MAX_SESSION_LINK_DELAY = Duration.ofDays(1);

  private final ReplicatedBackend backend;

  ReplicatedFaults(ReplicatedBackend backend) {
    this.backend = backend;
  }

  private void check(int replica) {
    int n = backend.replicas();
    if (replica < 1 || replica > n) {
      throw new IllegalArgumentException("replica must be in 1.." + n + ", got " + replica);
    }
  }

  private ReplicatedSession own(Session session) {
    Objects.requireNonNull(session, "session");
    if (!(session instanceof ReplicatedSession s) || !backend.onLoop(c -> c.sessions().contains(s)
        || s.state().isTerminal())) {
      throw new IllegalArgumentException("not a session of this backend: " + session);
    }
    return s;
  }

  /** Crashes a replica: it loses everything but its storage. A no-op if it is already crashed. */
  public void crash(int replica) {
    check(replica);
    backend.onLoop(c -> {
      c.crash(replica);
      return null;
    });
  }

  /** Restarts a crashed replica from its storage; it catches up from the leader. No-op if running. */
  public void restart(int replica) {
    check(replica);
    backend.onLoop(c -> {
      c.restart(replica);
      return null;
    });
  }

  /** Freezes a replica (a long GC pause): no ticks, no messages handled, until {@link #resume}. */
  public void pause(int replica) {
    check(replica);
    backend.onLoop(c -> {
      c.pause(replica);
      return null;
    });
  }

  public void resume(int replica) {
    check(replica);
    backend.onLoop(c -> {
      c.resume(replica);
      return null;
    });
  }

  /** Cuts a replica off from every other replica (its sessions then move away). */
  public void isolate(int replica) {
    check(replica);
    backend.onLoop(c -> {
      c.isolate(replica);
      return null;
    });
  }

  /**
   * Isolates the current leader and returns its number.
   *
   * @throws IllegalStateException if no replica leads right now
   */
  public int isolateLeader() {
    return backend.onLoop(c -> {
      int leader = c.leader();
      if (leader == 0) {
        throw new IllegalStateException("no replica leads right now");
      }
      c.isolate(leader);
      return leader;
    });
  }

  /**
   * Splits the replicas into groups that can talk only among themselves; a replica in no group is
   * cut off from all. Each group is an array of replica numbers.
   */
  public void partition(int[]... groups) {
    List<int[]> copy = new ArrayList<>();
    boolean[] seen = new boolean[backend.replicas() + 1];
    for (int[] g : groups) {
      for (int id : g) {
        check(id);
        if (seen[id]) {
          throw new IllegalArgumentException("replica " + id + " is in two groups");
        }
        seen[id] = true;
      }
      copy.add(g.clone());
    }
    backend.onLoop(c -> {
      c.partition(copy);
      return null;
    });
  }

  /**
   * Restores every link between replicas and removes link faults, including every {@linkplain
   * #delaySessionLink session link delay}. Crashed and paused replicas stay so, and sessions cut off
   * by {@link #disconnect} stay cut until {@link #reconnect}.
   */
  public void heal() {
    backend.onLoop(c -> {
      c.heal();
      return null;
    });
  }

  /**
   * Makes every link between replicas delay, drop, duplicate and reorder messages as {@code config}
   * says. Links between sessions and replicas are not affected: they behave like TCP (see {@link
   * #delaySessionLink}).
   */
  public void linkFaults(LinkConfig config) {
    Objects.requireNonNull(config, "config");
    backend.onLoop(c -> {
      c.network().setDefaults(config);
      return null;
    });
  }

  /**
   * Makes the link between {@code session} and {@code replica} slow, both ways, like a congested TCP
   * connection: from now on every message on it (requests, pings, replies, watch events, connection
   * handshakes) arrives {@code delay} after it is sent. {@link Duration#ZERO} makes it prompt again.
   * The delay belongs to the link, not the session: if the session moves to another replica it no
   * longer applies, and it applies again if the session comes back.
   *
   * <p>Guarantees: order is kept as on TCP — replies still complete in issue order and a watch
   * event still arrives before the reply that reveals its change — also for messages in flight when
   * the delay changes. Dropping, duplicating and reordering do not apply to a TCP-like link;
   * cutting it is {@link #disconnect}. A delay beyond the session's connection timeout (a third of
   * its timeout, at most 2 s) has the usual consequences: the session stops hearing its replica in
   * time, goes SUSPENDED and moves to another one; if it can reach none in time, the leader expires
   * it. In the real-time driver the delay is measured on the backend's time source.
   *
   * @throws IllegalArgumentException for a negative delay or one over a day (longer ones only risk
   *     overflowing the loop's clock arithmetic), a replica out of range or a session of another
   *     backend; nothing changes then
   */
  public void delaySessionLink(Session session, int replica, Duration delay) {
    check(replica);
    ReplicatedSession s = own(session);
    long nanos = toDelayNanos(delay);
    backend.onLoop(c -> {
      c.network().setSessionLinkDelay(s.endpoint(), replica, nanos);
      return null;
    });
  }

  /** The delay set by {@link #delaySessionLink} on the link between {@code session} and {@code replica}. */
  public Duration sessionLinkDelay(Session session, int replica) {
    check(replica);
    ReplicatedSession s = own(session);
    return Duration.ofNanos(backend.onLoop(c -> c.network().sessionLinkDelay(s.endpoint(), replica)));
  }

  private static long toDelayNanos(Duration delay) {
    Objects.requireNonNull(delay, "delay");
    if (delay.isNegative()) {
      throw new IllegalArgumentException("delay must not be negative, got " + delay);
    }
    if (delay.compareTo(MAX_SESSION_LINK_DELAY) > 0) {
      throw new IllegalArgumentException("delay must be at most " + MAX_SESSION_LINK_DELAY + ", got " + delay);
    }
    return delay.toNanos();
  }

  /** The replica that leads right now, if any. */
  public OptionalInt leader() {
    int leader = backend.onLoop(Cluster::leader);
    return leader == 0 ? OptionalInt.empty() : OptionalInt.of(leader);
  }

  /** Whether a replica is running (not crashed; a paused replica counts as running). */
  public boolean isRunning(int replica) {
    check(replica);
    return backend.onLoop(c -> c.host(replica).status() != RaftHost.Status.CRASHED);
  }

  /** The replica {@code session} is attached to (or trying to attach to). */
  public int replicaOf(Session session) {
    ReplicatedSession s = own(session);
    return backend.onLoop(c -> s.replica());
  }

  /** Moves a session to another replica now, as if its own had failed: SUSPENDED, then RECONNECTED. */
  public void moveSession(Session session, int replica) {
    check(replica);
    ReplicatedSession s = own(session);
    backend.onLoop(c -> {
      s.moveTo(replica);
      return null;
    });
  }

  /** Cuts a session off from every replica until {@link #reconnect}: it becomes SUSPENDED. */
  public void disconnect(Session session) {
    ReplicatedSession s = own(session);
    backend.onLoop(c -> {
      s.disconnect();
      return null;
    });
  }

  /** Lets a disconnected session reach the service again: RECONNECTED, or EXPIRED if it expired. */
  public void reconnect(Session session) {
    ReplicatedSession s = own(session);
    backend.onLoop(c -> {
      s.reconnect();
      return null;
    });
  }

  /** The session's next operation is applied but its reply is lost: ConnectionLoss, then RECONNECTED. */
  public void loseNextReply(Session session) {
    ReplicatedSession s = own(session);
    backend.onLoop(c -> {
      s.loseNextReply();
      return null;
    });
  }

  /**
   * Has the leader expire {@code session} through the log now: its ephemerals are deleted on every
   * replica and the watches this triggers fire. Returns once a replica has applied the expiry (at
   * most 30 s); the session's own client sees EXPIRED as soon as its replica applies it, or when it
   * next reaches the service.
   *
   * @throws IllegalStateException if no replica leads right now, or the expiry did not commit in time
   */
  public void expire(Session session) {
    Objects.requireNonNull(session, "session");
    long id = session.id();
    java.util.concurrent.CompletableFuture<Void> ended = backend.onLoop(c -> {
      int leader = c.leader();
      if (leader == 0) {
        throw new IllegalStateException("no replica leads right now, so none can expire a session");
      }
      java.util.concurrent.CompletableFuture<Void> f = c.whenSessionEnds(id);
      if (!c.service(leader).tree().hasSession(id)) {
        f.complete(null); // already gone
      }
      c.host(leader).propose(Command.encode(new Command.ExpireSession(id, c.nowMillis())));
      return f;
    });
    backend.await(ended, "the expiry of session 0x" + Long.toHexString(id));
  }
}
