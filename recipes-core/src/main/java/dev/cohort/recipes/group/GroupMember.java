package dev.cohort.recipes.group;

import dev.cohort.recipes.AsyncOps;
import dev.cohort.recipes.Cohort;
import dev.cohort.recipes.ConnectionState;
import dev.cohort.recipes.ConnectionStateListener;
import dev.cohort.recipes.Deadline;
import dev.cohort.spi.CoordinationException;
import dev.cohort.spi.CreateMode;
import dev.cohort.spi.NodeExistsException;
import dev.cohort.spi.Op;
import dev.cohort.spi.Paths;
import dev.cohort.spi.Stat;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import java.util.WeakHashMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Membership of one group: this process is a member (an ephemeral node {@code <group>/<id>} whose
 * data is its payload) and sees a live view of every member.
 *
 * <p>Guarantees: the member is in the group while its session lives; after a session loss it
 * re-joins by itself on the next session with its latest payload; a second live member with the
 * same id is refused with {@link DuplicateMemberException} (at join, nothing created; at a re-join,
 * logged and reported by {@link #isJoined()} false) and never overwrites the other, and so is a
 * second member object with the same id on the same client until the first is closed; the view ends on
 * the group's final membership and tells listeners of joins, leaves and updates in order.
 *
 * <p><b>Cost.</b> The view reads only the members a watch event names: a join, an update or a
 * leave costs each member of the group O(1) requests (one read, plus one listing without the
 * backend's persistent watches), whatever the group's size; only the first load and a reconnect
 * read the whole group.
 *
 * <p><b>Static members.</b> A member joined with {@link #joinStatic} names one logical member
 * across process restarts: if the id's node still belongs to an earlier incarnation's session
 * (the old process crashed and its session has not expired yet, or it is still running), the new
 * join replaces that node in one transaction instead of being refused. The earlier incarnation
 * sees its node replaced, reports {@link #isSuperseded()} and {@link #isJoined()} false, and never
 * takes the id back (not even on its next session); its {@link #close()} leaves the new node alone.
 * Use an id either always with {@code joinStatic} or never: a static join replaces any live node
 * with its id.
 *
 * <p><b>Grace period.</b> A static member joined with {@link #joinStatic(Cohort, String, String,
 * byte[], GroupListener, Duration)} and a positive grace also keeps a persistent reservation
 * {@code <group>.reservations/<id>} (a sibling of the group's node; data: the grace period in
 * milliseconds), written before its member node at every join and re-join (each bumps its
 * version) and removed with the node, in one transaction, by {@link #close()}. When such a
 * member's node goes without that clean leave (its process crashed, its session expired), every
 * other member finds the reservation and tells its listeners {@link GroupListener#away} instead
 * of {@link GroupListener#left}, and keeps it in {@link #members()} as last seen. If the member
 * comes back (the same id, on any client) within the grace, they report one {@link
 * GroupListener#updated} (the new incarnation); if not, once the grace has passed on each
 * observer's own client clock (from when that observer saw the node gone; no two clocks are
 * compared) they report {@link GroupListener#left}, and the first to get there removes the
 * reservation, conditional on the version it saw, so a member that came back keeps it. A member
 * already away when an observer starts is not reported to that observer. Members joined without a
 * grace (plain or static) are reported as before: a gone node is a leave at once. Cost: each leave
 * costs each observer one more read (of the reservation).
 *
 * <p>Thread-safe.
 */
public final class GroupMember implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(GroupMember.class);

  private final Cohort client;
  private final AsyncOps ops;
  private final String group;
  private final String id;
  private final String node;
  private final List<GroupListener> listeners = new CopyOnWriteArrayList<>();
  private final ConnectionStateListener stateListener = this::connectionChanged;
  private volatile byte[] payload;
  /** The session the member node was created on; 0 while not joined. */
  private volatile long joinedSession;
  private volatile boolean closed;
  /** Whether this member replaces an earlier incarnation's node at its first join. */
  private final boolean isStatic;
  /** The czxid of the member node this object created; 0 before. */
  private volatile long incarnation;
  /** A newer incarnation replaced this member's node: it stays out. */
  private volatile boolean superseded;
  /** The live view of the group; set once the first snapshot is in. */
  private volatile GroupView view;
  /** The grace period of this member's reservation; null for a member without one. */
  private final Duration grace;
  /** This member's reservation node ({@code <group>.reservations/<id>}). */
  private final String reservation;
  /**
   * Static members seen gone with a live reservation, by id: kept as last seen until they come
   * back or their grace period passes. Written on the listener executor (one task at a time).
   */
  private final Map<String, Away> away = new ConcurrentHashMap<>();

  /** An away static member: as last seen, its reservation's version, and its grace timer. */
  private record Away(Member member, int reservationVersion, CompletableFuture<Void> graceEnd) {}

  /**
   * The member nodes each client has joined through a GroupMember not yet closed. A second member
   * object with the same id on the same client would find "its" node already owned by its own
   * session and adopt it, and closing either would delete the node the other still reports as
   * joined; the session cannot tell them apart, so the client's members are counted here.
   * Weak keys: a client dropped without closing its members does not stay reachable from here.
   */
  private static final Map<Cohort, Set<String>> JOINED = Collections.synchronizedMap(new WeakHashMap<>());

  private GroupMember(Cohort client, String group, String id, byte[] payload, boolean isStatic, Duration grace) {
    this.client = client;
    this.grace = grace;
    this.reservation = Paths.join(reservationsOf(group), id);
    this.isStatic = isStatic;
    this.ops = client.async();
    this.group = group;
    this.id = id;
    this.node = Paths.join(group, id);
    this.payload = payload.clone();
  }

  /**
   * Joins {@code group} as {@code id} with {@code payload} and starts the live view.
   *
   * @param listener told of membership changes, including the members present at the start; may be null
   * @throws DuplicateMemberException if another live session is a member with this id, or another
   *     GroupMember of this client not yet closed (nothing changed)
   * @throws IllegalStateException if the client is not started or is closed
   * @throws IllegalArgumentException if {@code id} is not one valid path segment
   */
  public static GroupMember join(Cohort client, String group, String id, byte[] payload, GroupListener listener)
      throws InterruptedException {
    return join(client, group, id, payload, listener, false, null);
  }

  /**
   * Joins {@code group} as the static member {@code id}: like {@link #join}, except that a node of
   * another session with this id is taken to be an earlier incarnation of this member (a process
   * restarted before its old session ended) and is replaced rather than refused. See the class
   * overview.
   *
   * @param listener told of membership changes, including the members present at the start; may be null
   * @throws DuplicateMemberException if another GroupMember of this client not yet closed uses the
   *     id (nothing changed)
   * @throws IllegalStateException if the client is not started or is closed
   * @throws IllegalArgumentException if {@code id} is not one valid path segment
   */
  public static GroupMember joinStatic(Cohort client, String group, String id, byte[] payload,
      GroupListener listener) throws InterruptedException {
    return join(client, group, id, payload, listener, true, null);
  }

  /**
   * Joins {@code group} as the static member {@code id} with a grace period: like {@link
   * #joinStatic(Cohort, String, String, byte[], GroupListener)}, and if this member's node goes
   * without a {@link #close()} (a crash, an expired session), the other members report it {@link
   * GroupListener#away} rather than left, and report it left only if it has not come back with
   * the same id once {@code grace} has passed. See "Grace period" in the class overview. A zero
   * grace is the same as no grace.
   *
   * @param listener told of membership changes, including the members present at the start; may be null
   * @param grace how long the others wait for this member to come back after its node goes
   * @throws IllegalArgumentException if {@code grace} is negative or {@code id} is not one valid
   *     path segment (nothing written)
   * @throws DuplicateMemberException if another GroupMember of this client not yet closed uses the
   *     id (nothing changed)
   * @throws IllegalStateException if the client is not started or is closed
   */
  public static GroupMember joinStatic(Cohort client, String group, String id, byte[] payload,
      GroupListener listener, Duration grace) throws InterruptedException {
    Objects.requireNonNull(grace, "grace");
    if (grace.isNegative()) {
      throw new IllegalArgumentException("grace period must not be negative: " + grace);
    }
    return join(client, group, id, payload, listener, true, grace.isZero() ? null : grace);
  }

  /** Where {@code group}'s static reservations live: a sibling node, so the view never lists them. */
  static String reservationsOf(String group) {
    return group.equals("/") ? "/.reservations" : group + ".reservations";
  }

  /** The grace period a reservation's data holds, or null if it holds none. */
  static Duration parseGrace(byte[] data) {
    try {
      long millis = Long.parseLong(new String(data, StandardCharsets.UTF_8));
      return millis > 0 ? Duration.ofMillis(millis) : null;
    } catch (NumberFormatException notOurs) {
      return null;
    }
  }

  private static GroupMember join(Cohort client, String group, String id, byte[] payload, GroupListener listener,
      boolean isStatic, Duration grace) throws InterruptedException {
    Objects.requireNonNull(client, "client");
    Paths.validate(group);
    requireSegment(id);
    Objects.requireNonNull(payload, "payload");
    client.checkUsable();
    GroupMember member = new GroupMember(client, group, id, payload, isStatic, grace);
    if (listener != null) {
      member.listeners.add(listener);
    }
    if (!JOINED.computeIfAbsent(client, c -> ConcurrentHashMap.newKeySet()).add(member.node)) {
      throw DuplicateMemberException.onThisClient(group, id);
    }
    try {
      await(member.reserve().thenCompose(ignored -> member.createNode(isStatic)));
    } catch (RuntimeException | InterruptedException e) {
      member.forget();
      throw e;
    }
    client.addConnectionStateListener(member.stateListener);
    try {
      // The first batch of changes (every member present, as joins) may reach the listeners
      // before start returns; viewChanged does not need the view field.
      member.view = GroupView.start(client, group, member::viewChanged);
    } catch (RuntimeException | InterruptedException e) {
      member.close();
      throw e;
    }
    return member;
  }

  /** This member's id. */
  public String id() {
    return id;
  }

  /** Whether this member's node exists on the client's current session, as far as it knows. */
  public boolean isJoined() {
    return !closed && !superseded && joinedSession != 0 && joinedSession == client.sessionId();
  }

  /**
   * Whether a newer incarnation of this static member replaced its node (see {@link #joinStatic});
   * always false for a member joined with {@link #join}.
   */
  public boolean isSuperseded() {
    return superseded;
  }

  /**
   * The live members as last read, by id, sorted; includes this member once its node is seen, and
   * static members {@linkplain GroupListener#away away} within their grace period, as last seen.
   */
  public Map<String, Member> members() {
    Map<String, Member> all = new TreeMap<>(view.members());
    away.forEach((awayId, a) -> all.putIfAbsent(awayId, a.member()));
    return Collections.unmodifiableMap(all);
  }

  /** Adds a listener for changes from now on. */
  public void addListener(GroupListener listener) {
    listeners.add(Objects.requireNonNull(listener, "listener"));
  }

  /**
   * Replaces this member's payload.
   *
   * @throws IllegalStateException if the member is not joined right now (closed, or waiting to
   *     re-join after a session loss; the re-join will carry the new payload)
   */
  public void update(byte[] newPayload) throws InterruptedException {
    Objects.requireNonNull(newPayload, "payload");
    if (closed) {
      throw new IllegalStateException("member " + id + " has left " + group);
    }
    if (superseded) {
      throw new IllegalStateException("member " + id + " was replaced by a newer incarnation in " + group);
    }
    client.checkUsable();
    payload = newPayload.clone();
    long session = joinedSession;
    Stat stat = await(ops.exists(node, null));
    if (stat == null || session == 0 || stat.ephemeralOwner() != session || session != client.sessionId()) {
      throw new IllegalStateException("member " + id + " is not joined to " + group + " right now");
    }
    await(ops.setData(node, newPayload, stat.version()));
  }

  /** Leaves the group (removes the member node) and stops the view. Idempotent. */
  @Override
  public void close() {
    if (closed) {
      return;
    }
    closed = true;
    forget();
    client.removeConnectionStateListener(stateListener);
    if (view != null) {
      view.close();
    }
    away.values().forEach(a -> a.graceEnd().cancel(false));
    long session = joinedSession;
    joinedSession = 0;
    if (session != 0 && client.isLiveSession(session)) {
      // A clean leave removes the reservation with the node, in one step: nobody sees it away.
      ops.exists(node, null).thenCompose(stat -> stat == null || stat.ephemeralOwner() != session
          ? CompletableFuture.completedFuture(null)
          : grace == null ? ops.delete(node, stat.version())
          : ops.multi(List.of(Op.delete(node, stat.version()), Op.delete(reservation, -1))).<Void>thenApply(r -> null)
              // No reservation (an observer ended it meanwhile): still leave.
              .exceptionallyCompose(error -> ops.delete(node, stat.version())))
          .exceptionally(error -> {
            log.debug("member {}: could not remove {} on leaving: {}", id, node, error.toString());
            return null;
          });
    }
  }

  private void supersede() {
    if (!superseded) {
      superseded = true;
      log.warn("member {} was replaced by a newer incarnation in {}; this one stays out", id, group);
    }
  }

  /** Frees this member's id on its client for a later join. */
  private void forget() {
    Set<String> joined = JOINED.get(client);
    if (joined != null) {
      joined.remove(node);
    }
  }

  /**
   * Creates the member node on the current session; refuses to adopt another session's node, or
   * with {@code replace} (a static member's first join) replaces it in one transaction.
   */
  private CompletableFuture<Void> createNode(boolean replace) {
    long session = client.sessionId();
    return ops.createWithParents(node, payload, CreateMode.EPHEMERAL).handle((created, error) -> {
      if (error == null) {
        joined(session, created.stat().czxid());
        return CompletableFuture.<Void>completedFuture(null);
      }
      Throwable cause = unwrap(error);
      if (!(cause instanceof NodeExistsException)) {
        return CompletableFuture.<Void>failedFuture(cause);
      }
      // Ours after a lost reply, a duplicate, or an earlier incarnation of a static member.
      return ops.exists(node, null).thenCompose(stat -> {
        if (stat != null && stat.ephemeralOwner() == session) {
          joined(session, stat.czxid());
          return CompletableFuture.<Void>completedFuture(null);
        }
        if (stat == null || !replace) {
          throw new DuplicateMemberException(group, id);
        }
        return ops.multi(List.of(Op.delete(node, stat.version()), Op.create(node, payload, CreateMode.EPHEMERAL)))
            .thenCompose(results -> ops.exists(node, null))
            .thenAccept(mine -> {
              if (mine == null || mine.ephemeralOwner() != session) {
                throw new DuplicateMemberException(group, id); // replaced again meanwhile
              }
              log.info("member {} replaced its earlier incarnation (session {}) in {}", id, stat.ephemeralOwner(), group);
              joined(session, mine.czxid());
            });
      });
    }).thenCompose(f -> f);
  }

  /**
   * Writes this member's reservation (a member with a grace period) or bumps its version if it is
   * there, so that an observer's conditional removal of an older version fails.
   */
  private CompletableFuture<Void> reserve() {
    if (grace == null) {
      return CompletableFuture.completedFuture(null);
    }
    byte[] data = Long.toString(grace.toMillis()).getBytes(StandardCharsets.UTF_8);
    return ops.createWithParents(reservation, data, CreateMode.PERSISTENT).handle((created, error) -> {
      if (error == null) {
        return CompletableFuture.<Void>completedFuture(null);
      }
      if (unwrap(error) instanceof NodeExistsException) {
        return ops.setData(reservation, data, -1).thenApply(stat -> (Void) null);
      }
      return CompletableFuture.<Void>failedFuture(unwrap(error));
    }).thenCompose(f -> f);
  }

  private void joined(long session, long czxid) {
    incarnation = czxid;
    joinedSession = session;
  }

  private void connectionChanged(Cohort c, ConnectionState state) {
    if (closed || !state.isConnected() || joinedSession == client.sessionId()) {
      return;
    }
    if (superseded) {
      return;
    }
    // A new session after a loss: our node went with the old one. Never replace a node on a
    // re-join: another session's node under our id is a newer incarnation.
    reserve().thenCompose(ignored -> createNode(false)).whenComplete((ignored, error) -> {
      if (error != null && isStatic && unwrap(error) instanceof DuplicateMemberException) {
        supersede();
      } else if (error != null) {
        log.warn("member {} could not re-join {}: {}", id, group, unwrap(error).toString());
      } else {
        log.info("member {} re-joined {}", id, group);
      }
    });
  }

  /**
   * Runs on the listener executor, one batch at a time, with only the members that changed: the
   * cost of telling listeners follows what changed, not the size of the group.
   */
  private void viewChanged(List<GroupView.Change> changes) {
    if (closed) {
      return;
    }
    Map<String, Member> before = new TreeMap<>();
    Map<String, Member> after = new TreeMap<>();
    List<Member> nowAway = new java.util.ArrayList<>();
    for (GroupView.Change change : changes) {
      if (change.after() == null && change.reserved() != null && !change.id().equals(id)) {
        nowAway.add(change.before());
        goneAway(change);
        continue; // not a leave: its reservation keeps its place for now
      }
      Away back = change.after() != null ? away.remove(change.id()) : null;
      if (back != null) {
        back.graceEnd().cancel(false);
        before.put(change.id(), back.member()); // came back: reported as an update
      } else if (change.before() != null) {
        before.put(change.id(), change.before());
      }
      if (change.after() != null) {
        after.put(change.id(), change.after());
        long mine = incarnation;
        if (isStatic && change.id().equals(id) && mine != 0 && change.after().incarnation() > mine
            && change.afterSession() != client.sessionId()) {
          supersede(); // a later node under our id, not of our session: a newer incarnation replaced ours
        }
      }
    }
    MembershipDiff diff = MembershipDiff.between(before, after);
    for (GroupListener listener : listeners) {
      nowAway.forEach(listener::away);
      diff.left().forEach(listener::left);
      diff.joined().forEach(listener::joined);
      diff.updated().forEach(listener::updated);
    }
  }

  /** Starts the grace timer of a static member seen gone, on this client's clock. */
  private void goneAway(GroupView.Change change) {
    Member last = change.before();
    CompletableFuture<Void> graceEnd = Deadline.after(client, change.reserved().grace()).expiry();
    Away entry = new Away(last, change.reserved().version(), graceEnd);
    Away earlier = away.put(change.id(), entry);
    if (earlier != null) {
      earlier.graceEnd().cancel(false);
    }
    graceEnd.thenRun(() -> client.listenerExecutor().execute(() -> graceEnded(change.id(), entry)));
  }

  /** On the listener executor: the member did not come back in time; it has left. */
  private void graceEnded(String awayId, Away entry) {
    if (closed || !away.remove(awayId, entry)) {
      return; // came back, or went away again (a newer timer), or this member left
    }
    try {
      ops.delete(Paths.join(reservationsOf(group), awayId), entry.reservationVersion()).exceptionally(error -> {
        log.debug("member {}: {}'s reservation was not removed (it may be back): {}", id, awayId,
            unwrap(error).toString());
        return null;
      });
    } catch (IllegalStateException clientClosed) {
      log.debug("member {}: client closed, {}'s reservation left to another member", id, awayId);
    }
    for (GroupListener listener : listeners) {
      listener.left(entry.member());
    }
  }

  static void requireSegment(String id) {
    Objects.requireNonNull(id, "id");
    if (id.isEmpty() || id.indexOf('/') >= 0 || !Paths.isValid("/" + id)) {
      throw new IllegalArgumentException("member id must be one valid path segment: '" + id + "'");
    }
  }

  private static <T> T await(CompletableFuture<T> future) throws InterruptedException {
    try {
      return future.get();
    } catch (ExecutionException e) {
      Throwable cause = unwrap(e);
      if (cause instanceof RuntimeException re) {
        throw re;
      }
      throw new IllegalStateException(cause);
    }
  }

  private static Throwable unwrap(Throwable t) {
    while ((t instanceof CompletionException || t instanceof ExecutionException) && t.getCause() != null) {
      t = t.getCause();
    }
    return t;
  }
}
