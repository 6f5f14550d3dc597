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
 * another backend (changing nothing). None blocks for long: a fault that needs the replicated log
 * ({@link #expire}) fails at once with {@link NoQuorumException} when no majority of replicas can
 * commit, instead of waiting for one that only the caller can bring back.
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
   * replica and the watches this triggers fire. Returns once a replica has applied the expiry; the
   * session's own client sees EXPIRED as soon as its replica applies it, or when it next reaches
   * the service.
   *
   * <p>Never blocks for long. The expiry is proposed only to a leader that is running and linked to
   * a majority (itself included) of running replicas; otherwise the call fails at once and changes
   * nothing. Once proposed, a commit takes a few ticks; should it not be applied within {@link
   * #EXPIRE_COMMIT_BOUND} (links made lossy by {@link #linkFaults}, or a partition made meanwhile),
   * the call fails, and the expiry may still take effect later, as any outcome-unknown write may.
   *
   * @throws NoQuorumException if no majority of replicas can reach one another, so no replica can
   *     lead and commit (nothing changed)
   * @throws IllegalStateException if no replica leads right now though a majority could elect one
   *     (an election is under way: ask again shortly), or the replica that leads is cut off from
   *     the majority (nothing changed in both cases); or if the expiry was proposed but not applied
   *     within {@link #EXPIRE_COMMIT_BOUND}
   */
  public void expire(Session session) {
    Objects.requireNonNull(session, "session");
    long id = session.id();
    java.util.concurrent.CompletableFuture<Void> ended = backend.onLoop(c -> {
      int leader = c.leader();
      if (leader == 0 || !canLead(c, leader)) {
        if (!quorumPossible(c)) {
          throw new NoQuorumException("no replica can expire session 0x" + Long.toHexString(id)
              + ": no majority of replicas is running and connected to one another (" + describe(c) + ")");
        }
        throw new IllegalStateException(leader == 0
            ? "no replica leads right now (an election is under way), so none can expire a session: ask again shortly"
            : "replica " + leader + " still believes it leads but is cut off from the majority, which will elect "
                + "another leader: ask again shortly");
      }
      java.util.concurrent.CompletableFuture<Void> f = c.whenSessionEnds(id);
      if (!c.service(leader).tree().hasSession(id)) {
        f.complete(null); // already gone
      }
      c.host(leader).propose(Command.encode(new Command.ExpireSession(id, c.nowMillis())));
      return f;
    });
    backend.await(ended, "the expiry of session 0x" + Long.toHexString(id)
        + " (proposed; it may still take effect)", EXPIRE_COMMIT_BOUND);
  }

  /** How long {@link #expire} waits for a proposed expiry to be applied: many times a normal commit. */
  public static final Duration EXPIRE_COMMIT_BOUND = Duration.ofSeconds(5);

  /**
   * Whether a majority of replicas is running (neither crashed nor paused) and linked, both ways,
   * to one of them, so that it can lead and commit: what an expiry or an election needs. Judged
   * from the faults injected (crashes, pauses, partitions), not from lossy link settings.
   */
  public boolean hasQuorum() {
    return backend.onLoop(ReplicatedFaults::quorumPossible);
  }

  private static boolean quorumPossible(Cluster c) {
    for (int id = 1; id <= c.size(); id++) {
      if (canLead(c, id)) {
        return true;
      }
    }
    return false;
  }

  /** Whether replica {@code id} is up and linked both ways to enough up replicas to form a majority. */
  private static boolean canLead(Cluster c, int id) {
    return c.host(id).status() == RaftHost.Status.UP && 1 + runningPeersReachable(c, id) > c.size() / 2;
  }

  /** How many other running replicas {@code id} is linked to both ways. */
  private static int runningPeersReachable(Cluster c, int id) {
    int reachable = 0;
    for (int other = 1; other <= c.size(); other++) {
      if (other != id && c.host(other).status() == RaftHost.Status.UP
          && !c.network().isCut(id, other) && !c.network().isCut(other, id)) {
        reachable++;
      }
    }
    return reachable;
  }

  private static String describe(Cluster c) {
    StringBuilder b = new StringBuilder();
    for (int id = 1; id <= c.size(); id++) {
      if (id > 1) {
        b.append(", ");
      }
      b.append("replica ").append(id).append(' ').append(c.host(id).status().name().toLowerCase(java.util.Locale.ROOT));
      if (c.host(id).status() == RaftHost.Status.UP) {
        int reachable = runningPeersReachable(c, id);
        b.append(" reaching ").append(reachable).append(" other running replica").append(reachable == 1 ? "" : "s");
      }
    }
    return b.append("; a majority is ").append(c.size() / 2 + 1).toString();
  }

  /**
   * A fault that needs the replicated log (an expiry, an election) was asked for while no majority
   * of replicas is running and connected to one replica that could lead, so it could not take
   * effect; nothing was changed. Heal, restart or resume replicas until a majority can reach each
   * other, then ask again.
   */
  public static final class NoQuorumException extends IllegalStateException {
    private static final long serialVersionUID = 1L;

    public NoQuorumException(String message) {
      super(message);
    }
  }
}
