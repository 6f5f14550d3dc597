package dev.cohort.recipes.partition;

import dev.cohort.recipes.AsyncOps;
import dev.cohort.recipes.Cohort;
import dev.cohort.recipes.ConnectionState;
import dev.cohort.recipes.ConnectionStateListener;
import dev.cohort.recipes.Deadline;
import dev.cohort.recipes.FencingToken;
import dev.cohort.recipes.group.DuplicateMemberException;
import dev.cohort.spi.BadVersionException;
import dev.cohort.spi.Children;
import dev.cohort.spi.CoordinationException;
import dev.cohort.spi.CreateMode;
import dev.cohort.spi.NoNodeException;
import dev.cohort.spi.NodeData;
import dev.cohort.spi.NodeExistsException;
import dev.cohort.spi.Op;
import dev.cohort.spi.OpResult;
import dev.cohort.spi.Paths;
import dev.cohort.spi.Stat;
import dev.cohort.spi.Watcher;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executor;
import java.util.concurrent.locks.ReentrantLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Claims a balanced, sticky share of a set of partitions for one member, and hands partitions over
 * cooperatively when members come and go.
 *
 * <h2>Layout</h2>
 * Under the root: {@code partitions/<id>} (persistent; data = the partition's instructions),
 * {@code members/<memberId>} (ephemeral, one per live member; data = its weight and maximum),
 * {@code owners/<id>} (ephemeral, persistent for a static member; data = the owning member's id),
 * {@code static/<memberId>} (persistent, one per static member, see below) and {@code
 * counts/<memberId>.<n>} (ephemeral, one per ordinary member: the count marker, {@code n} the
 * partitions it holds; created with its member node, and moved in the same transaction as each of
 * its claims, releases and completions, so that it never disagrees with its owner nodes). The data version
 * of {@code members} is the membership epoch: a member joining or leaving bumps it in the
 * transaction that creates or deletes its node.
 *
 * <h2>How it works</h2>
 * A member runs one loop on its own thread. Each round it lists members, partitions, owners and
 * count markers (setting one watch on each of the first three lists). Its plan needs how many
 * partitions each member holds, and which partitions are free: when every live member has a count
 * marker, none is static and all weigh the same with no maximum binding, the markers and the
 * owners list tell both, and the round reads no owner node (a round costs a few requests
 * whatever the number of partitions; a join or a leave costs each member about two rounds plus a
 * transaction per partition it gives or takes). Otherwise (static members, weights or maxima,
 * members of an earlier version without markers, or this member's own marker in doubt after a
 * write whose reply was lost) it reads the data of the owner nodes it has not read yet or that a
 * watch event said changed (see {@code ChildReads}: one request per owner node that changed).
 * It computes its target with the pure {@link PartitionAssignment} (balanced, sticky,
 * deterministic: every member with the same snapshot computes the same target; from counts, the
 * same quotas, and the free partitions dealt to the members with room in id order), then
 * <ol>
 *   <li>for each partition it holds whose target is another member: calls {@link
 *       PartitionListener#revoked}, and once that returns deletes its owner node;
 *   <li>for each partition targeted at it that has no owner: claims it with one transaction that
 *       checks the membership epoch of its view, bumps the partition node's version, creates the
 *       ephemeral owner node and moves the count marker, and calls {@link PartitionListener#assigned} with the transaction's
 *       zxid as fencing token. The first refused claim ends the round.
 * </ol>
 * A partition targeted at it but still owned by someone else is left alone: its owner computes the
 * same target and releases it. Changes of the member, partition and reservation lists always wake
 * the loop; owner changes wake it only while it is not at its target or has just moved something
 * (see {@code followOwners}), so a member that a rebalance does not concern runs one round for it. Since the owner node is created only where none exists, <b>a
 * partition never has two owner nodes</b>; and since the previous owner deletes its node only after
 * its listener has returned, the hand-over is cooperative. Releases and completions check the
 * partition node's version, so they act only on this member's own claim: a member whose session
 * expired and whose partition was claimed again cannot remove the new owner's node.
 *
 * <h2>Why the moves are the minimum</h2>
 * Members plan on views taken at different moments, and a view is not even one moment (one
 * listing, then a read per owner node), so a hand-over in progress is seen half done. The target
 * is built to survive that: on the way from a snapshot to its target every member's count moves
 * one way only (down to its quota, or up to it), and {@link PartitionAssignment} computes the same
 * quotas from every state along that way. So during a rebalance a member only releases or only
 * claims, never beyond its quota, and the partitions released are exactly the minimum; no member
 * has to wait for the owners to settle. Two things would still break it, and the recipe rules
 * both out:
 * <ul>
 *   <li>a view that pairs the members or partitions of one moment with owners of a later one,
 *       already moving towards another target. A round whose member or partition list changed
 *       (child version) while it read the owners acts on nothing and reads again;
 *   <li>a plan that outlives its membership: a round's claims run one after another and can still
 *       be going when a member joins, and the partitions the others then release for the newcomer
 *       would be taken by a plan that counted one member fewer. Each claim checks the membership
 *       epoch its round read, so the service refuses it. A crash does not bump the epoch; with one
 *       member fewer no share shrinks as long as P ≥ N(N−1), and below that a plan made before the
 *       crash can claim one partition too many, which a later round gives back.
 * </ul>
 *
 * <p>When the session is lost, every held partition is reported revoked and the member re-joins
 * with its next session. A crashed member's owner nodes disappear when its session expires, and
 * the others claim its partitions.
 *
 * <h2>Static members, weights and maxima</h2>
 * A static member ({@link Builder#staticMembership}) also has a persistent reservation {@code
 * static/<memberId>} (data: weight, maximum, grace period), and its owner nodes are persistent, so
 * they outlive its session. Every join of the member bumps the reservation's version in the same
 * transaction that creates its member node, and every claim of the member checks that version:
 * a newer incarnation's join (which replaces a still-live earlier member node in that transaction)
 * fences every claim the earlier one still tries, and the earlier one, seeing the version move,
 * stops. The newer one finds owner nodes with its id that it does not hold and claims them again
 * by bumping each partition's version, so its tokens are newer than the earlier incarnation's.
 * A reservation without a member node is an absent static member: it takes part in every plan
 * with what it holds, so nothing moves, until its grace period ends. Each other member measures
 * that on its own client's clock from when it first saw that reservation version absent (no two
 * clocks are compared, and nothing needs TTL or container nodes, which etcd lacks); the first one
 * whose measure ends deletes the reservation and the member's owner nodes in one transaction
 * conditional on the reservation's version, so it fails if the member came back. Costs: a static
 * member's round reads its reservation once more (one request); a rejoin within the grace period
 * is one transaction to join, then per partition one read and one transaction to claim again,
 * and no request at all by the other members beyond the round each change triggers.
 *
 * <p>Member nodes carry the member's weight and maximum ({@link Builder#weight}, {@link
 * Builder#maxPartitions}); each is read once, when it appears, and the plan shares
 * the partitions by weight and never above a maximum.
 */
public final class PartitionClaimer implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(PartitionClaimer.class);
  private static final Duration RETRY_AFTER_ERROR = Duration.ofMillis(50);

  private final Cohort client;
  private final AsyncOps ops;
  private final String root;
  private final String partitionsPath;
  private final String membersPath;
  private final String ownersPath;
  /** {@code counts/}: one marker per ordinary member, named {@code <memberId>.<partitions held>}. */
  private final String countsPath;
  private final String memberId;
  private final byte[] memberIdBytes;
  private final PartitionListener listener;
  private final Executor executor;
  /** The static grace period, or null for an ordinary member. */
  private final Duration grace;
  /** {@code static/<memberId>}: this member's reservation, if it is static. */
  private final String reservationPath;
  private final String staticPath;
  /** What the member node and the reservation carry: weight, maximum and grace period. */
  private final byte[] memberData;

  private final ReentrantLock lock = new ReentrantLock();
  /**
   * Guarded by lock: completed and replaced on every change (dirty, closed), so that the loop waits
   * with a {@link Deadline} on the client's clock rather than on a condition and the JVM's clock.
   */
  private CompletableFuture<Void> wake = new CompletableFuture<>();
  /** Completes when the loop has released everything and stopped. */
  private final CompletableFuture<Void> stoppedSignal = new CompletableFuture<>();
  /** Guarded by lock: whether something changed since the last round. */
  private boolean dirty = true;
  /** Guarded by lock. */
  private boolean closed;
  /** Guarded by lock: set when the loop has released everything and stopped. */
  private boolean stopped;
  /** Guarded by lock: partitions this member holds, with the partition version of its claim. */
  private final Map<String, Held> held = new TreeMap<>();
  /** Guarded by lock: the session id the member node was created with; 0 when not joined. */
  private long joinedSession;
  /**
   * Guarded by lock: the reservation's version this incarnation's join left (static members only;
   * -1 before the first join). Every join bumps it, so a claim checked against it fails once a
   * newer incarnation has joined.
   */
  private int reservationVersion = -1;
  /** Guarded by lock: a newer incarnation with this id took over; the loop has stopped. */
  private boolean superseded;
  /** Guarded by lock: closing for a restart (static members): keep the claims for the grace period. */
  private boolean restarting;
  /** Partitions no member may take (every member at its maximum), as of the last round. */
  private volatile Set<String> unassigned = Set.of();
  /** The owner nodes' data: each round reads only the owner nodes that changed since the last. */
  private final ChildReads ownerReads;
  /** The member nodes' data (weight and maximum), read likewise. */
  private final ChildReads memberReads;
  /** Loop thread only: absent static members, by id: the reservation version and when first seen absent. */
  private final Map<String, Absence> absent = new HashMap<>();
  /** Loop thread only: when the loop must wake to end a grace period, or null. */
  private Deadline nextGraceEnd;
  /**
   * Guarded by markerLock: the count this (ordinary) member's marker carries as its own last write
   * left it, or -1 when not known (a write whose outcome is unknown, or none yet on this session).
   */
  private int markerCount = -1;
  /**
   * Held while a transaction that moves this member's marker runs (and while {@link #markerCount}
   * is read for it or written): the loop's claims, releases and repairs, and {@link #complete}
   * from any thread.
   */
  private final ReentrantLock markerLock = new ReentrantLock();

  private record Absence(int version, long sinceNanos) {}

  private final Watcher watcher = event -> markDirty();
  /** The owners list's watcher: it wakes the loop only while the loop follows owner changes. */
  private final Watcher ownersWatcher = event -> ownerChanged();
  /**
   * Whether owner changes wake the loop: false while this member holds exactly its target and its
   * last round moved nothing. Such a member has nothing to do until the members, the partitions or
   * the reservations change (their watches always wake it): hand-overs between the others keep its
   * target as it is (see "Why the moves are the minimum"). So a rebalance wakes each member for one
   * round, and only the members that give or take partitions for the rounds the hand-over needs,
   * instead of every member for every partition that moves.
   */
  private volatile boolean followOwners = true;
  /** Partitions assigned or revoked so far (every {@link #moved} call); tells a round that moved something. */
  private final java.util.concurrent.atomic.AtomicLong movesSoFar = new java.util.concurrent.atomic.AtomicLong();
  private final ConnectionStateListener stateListener = this::connectionChanged;

  private record Held(int version, FencingToken token) {}

  /** See {@link Partition#ownershipChecks()}: the claim's partition version and its owner node. */
  private List<Op> ownershipChecks(String partition, int version) {
    return List.of(Op.check(Paths.join(partitionsPath, partition), version), Op.check(Paths.join(ownersPath, partition), -1));
  }

  /** The client's event listener, or null. */
  private final dev.cohort.recipes.CohortEvents events;

  private PartitionClaimer(Builder b) {
    this.client = b.client;
    this.ops = b.client.async();
    this.events = b.client.events().orElse(null);
    this.root = b.root;
    this.partitionsPath = Paths.join(root, "partitions");
    this.membersPath = Paths.join(root, "members");
    this.ownersPath = Paths.join(root, "owners");
    this.countsPath = Paths.join(root, "counts");
    this.memberId = b.memberId;
    this.memberIdBytes = b.memberId.getBytes(StandardCharsets.UTF_8);
    this.listener = b.listener;
    this.grace = b.grace;
    this.staticPath = Paths.join(root, "static");
    this.reservationPath = Paths.join(staticPath, memberId);
    this.memberData = MemberData.encode(b.weight, b.maxPartitions, b.grace);
    this.ownerReads = new ChildReads(b.client, ownersPath, this::ownerChanged);
    this.memberReads = new ChildReads(b.client, membersPath, this::markDirty);
    // The loop runs for the member's whole life: a thread of its own, not one of a shared pool
    // (a direct or bounded executor would never return from start(), or starve other work).
    this.executor = b.executor != null ? b.executor : task -> {
      Thread t = new Thread(task, "cohort-partition-" + b.memberId);
      t.setDaemon(true);
      t.start();
    };
  }

  /** A builder for member {@code memberId} of the partition set under {@code root}. */
  public static Builder builder(Cohort client, String root, String memberId, PartitionListener listener) {
    return new Builder(client, root, memberId, listener);
  }

  /**
   * Adds a partition to the set under {@code root} (creating the layout if missing).
   *
   * @throws NodeExistsException if a partition with that id exists
   * @throws IllegalArgumentException if the id is not a single path segment
   */
  public static void definePartition(Cohort client, String root, String id, byte[] instructions)
      throws InterruptedException {
    requireSegment(id, "partition id");
    Objects.requireNonNull(instructions, "instructions");
    client.checkUsable();
    await(client.async().createWithParents(Paths.join(Paths.join(root, "partitions"), id), instructions,
        CreateMode.PERSISTENT));
  }

  /** The member id. */
  public String memberId() {
    return memberId;
  }

  /** The partitions this member holds now, sorted. */
  public Set<String> owned() {
    lock.lock();
    try {
      return Set.copyOf(held.keySet());
    } finally {
      lock.unlock();
    }
  }

  /** The fencing token of a partition this member holds. */
  public java.util.Optional<FencingToken> fencingToken(String partitionId) {
    lock.lock();
    try {
      Held h = held.get(partitionId);
      return java.util.Optional.ofNullable(h == null ? null : h.token());
    } finally {
      lock.unlock();
    }
  }

  /**
   * Marks a partition this member holds as done: its node and owner node are removed in one
   * transaction, only if this member's claim is still current.
   *
   * @return true if the partition was removed; false if the claim had been lost
   * @throws IllegalStateException if this member does not hold the partition
   */
  public boolean complete(String partitionId) throws InterruptedException {
    client.checkUsable();
    Held h;
    lock.lock();
    try {
      h = held.get(partitionId);
      if (h == null) {
        throw new IllegalStateException(memberId + " does not hold partition " + partitionId);
      }
    } finally {
      lock.unlock();
    }
    List<Op> txn = new ArrayList<>(List.of(
        Op.delete(Paths.join(ownersPath, partitionId), -1),
        Op.delete(Paths.join(partitionsPath, partitionId), h.version())));
    markerLock.lock();
    try {
      // The count marker follows in the same transaction, as for a release: the others plan on it.
      return releaseCounted(txn);
    } finally {
      // Forgotten before the marker lock goes, so that the loop never sees the marker moved and
      // the partition still held.
      lock.lock();
      try {
        held.remove(partitionId, h);
      } finally {
        lock.unlock();
      }
      markerLock.unlock();
      markDirty();
    }
  }

  /**
   * Leaves: revokes and releases every held partition (so others can claim them at once), removes
   * the member node and stops the loop. Waits up to {@code timeout} for that.
   *
   * @return true if the member left cleanly in time
   */
  public boolean close(Duration timeout) throws InterruptedException {
    Objects.requireNonNull(timeout, "timeout");
    Deadline deadline = Deadline.after(client, timeout);
    lock.lock();
    try {
      closed = true;
      signal();
    } finally {
      lock.unlock();
    }
    return deadline.await(stoppedSignal);
  }

  /**
   * Stops this static member for a restart without leaving: its listener is told every partition
   * is revoked (so work stops), its member node is removed, and its claims and reservation stay.
   * For the grace period the others keep its partitions for it; a member started with the same id
   * within that time (in this process or another) claims them again, with newer fencing tokens,
   * and no other member moves anything. After the grace period the others take them.
   *
   * @return true if the member stopped in time
   * @throws IllegalStateException if this member is not static (see {@link
   *     Builder#staticMembership(Duration)}); nothing changes
   */
  public boolean closeForRestart(Duration timeout) throws InterruptedException {
    Objects.requireNonNull(timeout, "timeout");
    if (grace == null) {
      throw new IllegalStateException(memberId + " is not a static member: close() to leave");
    }
    Deadline deadline = Deadline.after(client, timeout);
    lock.lock();
    try {
      if (!closed) {
        restarting = true;
      }
      closed = true;
      signal();
    } finally {
      lock.unlock();
    }
    return deadline.await(stoppedSignal);
  }

  /**
   * Whether a newer incarnation of this static member (started with the same id on another
   * session) took over. This one then holds nothing, has stopped, and its fencing tokens are older
   * than the newer one's.
   */
  public boolean isSuperseded() {
    lock.lock();
    try {
      return superseded;
    } finally {
      lock.unlock();
    }
  }

  /**
   * Partitions that no member may take because every member is at its maximum (see {@link
   * Builder#maxPartitions(int)}), as of this member's last round; they are claimed as soon as a
   * member with room joins. Empty when no maximum binds.
   */
  public Set<String> unassigned() {
    return unassigned;
  }

  /** {@link #close(Duration)} with a 10 s bound; interruption is restored, not thrown. */
  @Override
  public void close() {
    try {
      close(Duration.ofSeconds(10));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  // ---- the loop ----------------------------------------------------------------------------

  private void start() {
    client.addConnectionStateListener(stateListener);
    executor.execute(this::run);
  }

  private void run() {
    try {
      while (awaitWork()) {
        if (client.isClosed()) {
          break; // everything went with the client's last session; leave() reports it
        }
        try {
          round();
        } catch (CoordinationException e) {
          log.debug("{}: round failed, retrying: {}", memberId, e.toString());
          retryLater();
        } catch (RuntimeException e) {
          log.warn("{}: round failed, retrying", memberId, e);
          retryLater();
        }
      }
      boolean keepClaims;
      lock.lock();
      try {
        keepClaims = restarting || superseded;
      } finally {
        lock.unlock();
      }
      if (keepClaims) {
        stopForRestart();
      } else {
        leave();
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } finally {
      client.removeConnectionStateListener(stateListener);
      ownerReads.close();
      memberReads.close();
      lock.lock();
      try {
        stopped = true;
        signal();
      } finally {
        lock.unlock();
      }
      stoppedSignal.complete(null);
    }
  }

  /** Wakes the loop's wait. Under lock. */
  private void signal() {
    CompletableFuture<Void> woken = wake;
    wake = new CompletableFuture<>();
    woken.complete(null);
  }

  /** Waits until something changed; false once closed. */
  private boolean awaitWork() throws InterruptedException {
    while (true) {
      CompletableFuture<Void> signal;
      lock.lock();
      try {
        if (dirty || closed || superseded) {
          dirty = false;
          return !closed && !superseded;
        }
        signal = wake;
      } finally {
        lock.unlock();
      }
      // An absent static member's grace period ends without any event: wake for it on the clock.
      Deadline until = nextGraceEnd != null ? nextGraceEnd : Deadline.never(client);
      if (!until.await(signal) && until == nextGraceEnd) {
        nextGraceEnd = null;
        markDirty();
      }
    }
  }

  private void retryLater() throws InterruptedException {
    CompletableFuture<Void> signal;
    lock.lock();
    try {
      signal = closed ? null : wake;
    } finally {
      lock.unlock();
    }
    if (signal != null) {
      // A timed wait on the client's clock, not a sleep: a change or close ends it early.
      Deadline.after(client, RETRY_AFTER_ERROR).await(signal);
    }
    lock.lock();
    try {
      dirty = true;
    } finally {
      lock.unlock();
    }
  }

  private void round() throws InterruptedException {
    boolean followed = followOwners;
    boolean settled = false;
    try {
      settled = planAndAct(followed);
    } finally {
      followOwners = !settled;
      if (!settled && !followed) {
        markDirty(); // one more round, which sets the owners watch this one went without
      }
    }
  }

  /** One round; true if it ended with this member holding exactly its target, having moved nothing. */
  private boolean planAndAct(boolean followOwners) throws InterruptedException {
    long movesBefore = movesSoFar.get();
    ConnectionState state = client.connectionState();
    if (state == ConnectionState.LOST || joinedSessionEnded()) {
      revokeAllLost();
    }
    if (!state.isConnected()) {
      return false; // the state listener marks us dirty on reconnect
    }
    join();
    if (grace != null && supersededNow()) {
      return false;
    }
    Children members = await(ops.getChildren(membersPath, watcher));
    Children partitions = await(ops.getChildren(partitionsPath, watcher));
    Children reserved = await(ops.getChildren(staticPath, watcher));
    List<String> ownerNodes = await(ops.getChildren(ownersPath, followOwners ? ownersWatcher : null)).names();
    Map<String, List<Integer>> markers = grace == null ? listMarkers() : Map.of();
    Map<String, PartitionAssignment.Capacity> capacities = new HashMap<>(liveCapacities(members));
    boolean byCounts = grace == null && reserved.names().isEmpty() && members.names().contains(memberId)
        && ownMarkerInSync(markers, false)
        && everyMemberCounted(members, markers)
        && PartitionAssignment.uniform(partitions.names().size(), new java.util.TreeSet<>(members.names()), capacities);
    if (byCounts) {
      Set<String> owned = new java.util.HashSet<>(ownerNodes);
      forgetLost(owned::contains);
      if (changedSince(members, partitions, reserved)) {
        markDirty();
        return false;
      }
      return planFromCounts(members, partitions, owned, markers, movesBefore);
    }
    Map<String, NodeData> ownerData = ownerReads.read(ownerNodes);
    Map<String, String> owners = new HashMap<>();
    ownerData.forEach((p, d) -> owners.put(p, new String(d.data(), StandardCharsets.UTF_8)));
    forgetLost(partition -> memberId.equals(owners.get(partition)));
    if (grace == null) {
      adoptOrphans(owners);
      if (!ownMarkerInSync(markers, true)) {
        return false; // the marker could not be written: look again
      }
    }
    if (changedSince(members, partitions, reserved)) {
      markDirty(); // their watches fire too; either way the next round reads again
      return false;
    }
    Set<String> participants = new java.util.TreeSet<>(members.names());
    if (!absentStaticMembers(members, reserved, ownerData, capacities, participants)) {
      return false; // a grace period ended and this member ended it: plan again without that member
    }
    Map<String, String> target = PartitionAssignment.assign(partitions.names(), participants, owners, capacities);
    reportUnassigned(partitions.names(), target);
    for (String partition : heldPartitions()) {
      if (!memberId.equals(target.get(partition))) {
        revokeAndRelease(partition);
      }
    }
    if (grace != null) {
      reclaimOwn(ownerData, target);
    }
    for (Map.Entry<String, String> e : target.entrySet()) {
      if (e.getValue().equals(memberId) && !owners.containsKey(e.getKey())
          && !claim(e.getKey(), members.stat().version())) {
        return false; // the view is out of date: the next round plans again
      }
    }
    Set<String> mine = new java.util.TreeSet<>();
    target.forEach((partition, member) -> {
      if (member.equals(memberId)) {
        mine.add(partition);
      }
    });
    return movesSoFar.get() == movesBefore && mine.equals(new java.util.TreeSet<>(heldPartitions()));
  }

  /**
   * The plan of a round that knows how many partitions each member holds (from the count markers)
   * but not which: enough for this member's own part. Its quota is the one {@link
   * PartitionAssignment#assign} gives it; it keeps its first partitions up to the quota and releases
   * the rest, as there. With room left it claims free partitions (no owner node): the free ones,
   * sorted, are dealt to the members with room in id order, as {@code assign} deals them, so that
   * members claiming at once mostly take different ones; a claim that meets another's ends the
   * round like any refused claim. No owner node is read.
   */
  private boolean planFromCounts(Children members, Children partitions, Set<String> owned,
      Map<String, List<Integer>> markers, long movesBefore) throws InterruptedException {
    java.util.TreeSet<String> live = new java.util.TreeSet<>(members.names());
    Set<String> parts = new java.util.TreeSet<>(partitions.names());
    Map<String, Integer> counts = new HashMap<>();
    for (String member : live) {
      counts.put(member, markers.get(member).get(0));
    }
    List<String> mine = new ArrayList<>();
    for (String partition : heldPartitions()) {
      if (parts.contains(partition)) {
        mine.add(partition);
      }
    }
    counts.put(memberId, mine.size());
    Map<String, Integer> quota = PartitionAssignment.quotasFromCounts(parts.size(), live, counts);
    unassigned = Set.of();
    int keep = quota.get(memberId);
    for (String partition : mine.subList(Math.min(keep, mine.size()), mine.size())) {
      revokeAndRelease(partition);
    }
    int room = keep - Math.min(keep, mine.size());
    if (room > 0) {
      int offset = 0;
      for (String member : live.headSet(memberId)) {
        offset += Math.max(0, quota.get(member) - counts.get(member));
      }
      List<String> free = new ArrayList<>();
      for (String partition : parts) {
        if (!owned.contains(partition)) {
          free.add(partition);
        }
      }
      for (int i = offset; i < offset + room && i < free.size(); i++) {
        if (!claim(free.get(i), members.stat().version())) {
          return false; // the view is out of date: the next round plans again
        }
      }
    }
    return movesSoFar.get() == movesBefore && room == 0;
  }

  private String marker(int count) {
    return Paths.join(countsPath, memberId + "." + count);
  }

  /** The count markers by member id: the counts each one's markers carry (one, unless in repair). */
  private Map<String, List<Integer>> listMarkers() throws InterruptedException {
    Map<String, List<Integer>> markers = new HashMap<>();
    for (String name : await(ops.getChildren(countsPath, null)).names()) {
      int dot = name.lastIndexOf('.');
      if (dot > 0) {
        try {
          markers.computeIfAbsent(name.substring(0, dot), id -> new ArrayList<>())
              .add(Integer.parseInt(name.substring(dot + 1)));
        } catch (NumberFormatException e) {
          // not a marker
        }
      }
    }
    return markers;
  }

  /** Whether every live member has exactly one marker (members of earlier versions have none). */
  private static boolean everyMemberCounted(Children members, Map<String, List<Integer>> markers) {
    for (String member : members.names()) {
      List<Integer> counts = markers.get(member);
      if (counts == null || counts.size() != 1) {
        return false;
      }
    }
    return true;
  }

  /**
   * Whether this member's marker (as {@code markers} lists it) carries what it holds, rewriting it
   * when that is safe: when {@code holdingsKnown} (the owner nodes were just read and orphans
   * adopted), or when the marker is the one this member last wrote, so that only a completion or
   * a failed release since made it stale. Otherwise a write with a lost reply may have moved it
   * (a claim whose owner node this member has not adopted): false, and the round reads the owner
   * nodes.
   */
  private boolean ownMarkerInSync(Map<String, List<Integer>> markers, boolean holdingsKnown)
      throws InterruptedException {
    markerLock.lock();
    try {
      return syncOwnMarker(markers, holdingsKnown);
    } finally {
      markerLock.unlock();
    }
  }

  private boolean syncOwnMarker(Map<String, List<Integer>> markers, boolean holdingsKnown)
      throws InterruptedException {
    List<Integer> listed = markers.getOrDefault(memberId, List.of());
    int holding = heldPartitions().size();
    if (listed.size() == 1 && listed.get(0) == holding) {
      markerCount = holding;
      return true;
    }
    if (!holdingsKnown && !(listed.size() == 1 && listed.get(0) == markerCount)) {
      markerCount = -1;
      return false;
    }
    List<Op> txn = new ArrayList<>();
    for (int count : listed) {
      txn.add(Op.delete(marker(count), -1));
    }
    txn.add(Op.create(marker(holding), new byte[0], CreateMode.EPHEMERAL));
    try {
      await(ops.multi(txn));
      markerCount = holding;
      markers.put(memberId, List.of(holding));
      return true;
    } catch (NodeExistsException | NoNodeException e) {
      markerCount = -1;
      markDirty();
      return false;
    }
  }

  /** An owner node was created, deleted or changed: a round, if this member follows owners now. */
  private void ownerChanged() {
    if (followOwners) {
      markDirty();
    }
  }

  private void reportUnassigned(List<String> partitions, Map<String, String> target) {
    Set<String> left = new java.util.TreeSet<>(partitions);
    left.removeAll(target.keySet());
    if (!left.equals(unassigned) && !left.isEmpty()) {
      log.warn("{}: {} partition(s) of {} have no member with room (every member at its maximum): {}",
          memberId, left.size(), root, left);
    }
    unassigned = Set.copyOf(left);
  }

  /**
   * The weight and maximum of every live member, from its member node's data. A member node is
   * read when it first appears (or is created again), not on every round.
   */
  private Map<String, PartitionAssignment.Capacity> liveCapacities(Children members) throws InterruptedException {
    Map<String, PartitionAssignment.Capacity> capacities = new HashMap<>();
    // A member that left since the listing is missing here; the next round sees it gone.
    memberReads.read(members.names()).forEach((member, data) -> capacities.put(member, MemberData.parse(data.data()).capacity()));
    return capacities;
  }

  /**
   * Static members that are absent (a reservation, no member node) take part in the plan until
   * their grace period ends, so that nobody takes their partitions meanwhile. The grace period is
   * measured on this member's own clock from when it first saw that reservation version absent
   * (clocks are never compared across processes); the first member whose measure ends removes the
   * reservation and the member's claims, in one transaction conditional on the reservation's
   * version, which any re-join bumps.
   *
   * @return false if this round ended a grace period (plan again on a fresh view)
   */
  private boolean absentStaticMembers(Children members, Children reserved, Map<String, NodeData> ownerData,
      Map<String, PartitionAssignment.Capacity> capacities, Set<String> participants) throws InterruptedException {
    Set<String> live = Set.copyOf(members.names());
    long now = client.timeSource().nanoTime();
    long soonest = Long.MAX_VALUE;
    absent.keySet().retainAll(reserved.names());
    for (String id : reserved.names()) {
      if (live.contains(id)) {
        absent.remove(id);
        continue;
      }
      NodeData reservation;
      try {
        reservation = await(ops.getData(Paths.join(staticPath, id), null));
      } catch (NoNodeException gone) {
        continue;
      }
      MemberData data = MemberData.parse(reservation.data());
      Absence since = absent.get(id);
      if (since == null || since.version() != reservation.stat().version()) {
        since = new Absence(reservation.stat().version(), now);
        absent.put(id, since);
      }
      Duration itsGrace = data.grace() == null ? Duration.ZERO : data.grace();
      long left = itsGrace.toNanos() - (now - since.sinceNanos());
      if (left <= 0) {
        endGracePeriod(id, reservation.stat().version(), ownerData);
        return false;
      }
      soonest = Math.min(soonest, left);
      participants.add(id);
      capacities.put(id, data.capacity());
    }
    nextGraceEnd = soonest == Long.MAX_VALUE ? null : Deadline.after(client, Duration.ofNanos(soonest));
    return true;
  }

  /** Removes an absent static member's reservation and claims, if it has not re-joined meanwhile. */
  private void endGracePeriod(String id, int version, Map<String, NodeData> ownerData) throws InterruptedException {
    List<Op> txn = new ArrayList<>();
    txn.add(Op.delete(Paths.join(staticPath, id), version));
    ownerData.forEach((partition, data) -> {
      if (data.stat().ephemeralOwner() == 0 && id.equals(new String(data.data(), StandardCharsets.UTF_8))) {
        txn.add(Op.delete(Paths.join(ownersPath, partition), data.stat().version()));
      }
    });
    txn.add(Op.setData(membersPath, new byte[0], -1)); // a member left: a new membership epoch
    try {
      await(ops.multi(txn));
      absent.remove(id);
      log.info("{}: the grace period of static member {} ended; its {} partition(s) are free",
          memberId, id, txn.size() - 2);
    } catch (BadVersionException | NoNodeException e) {
      // it re-joined, or another member ended the grace period first, or a claim changed
    }
    markDirty();
  }

  /**
   * Whether a newer incarnation took over this static member's id: the reservation's version is no
   * longer the one this incarnation's join left. If so, everything held is reported revoked and the
   * loop stops; nothing is released (the claims are the newer incarnation's now).
   */
  private boolean supersededNow() throws InterruptedException {
    int mine;
    lock.lock();
    try {
      mine = reservationVersion;
    } finally {
      lock.unlock();
    }
    if (isSuperseded()) {
      return true;
    }
    Stat stat = await(ops.exists(reservationPath, null));
    if (stat != null && stat.version() == mine) {
      return false;
    }
    stepAside();
    return true;
  }

  /** A newer incarnation took over: report everything revoked and stop the loop. */
  private void stepAside() {
    lock.lock();
    try {
      superseded = true;
      signal();
    } finally {
      lock.unlock();
    }
    log.warn("{}: a newer incarnation of this static member joined {}; this one stops", memberId, root);
    revokeAllLost();
  }

  /**
   * Owner nodes with this member's id that this incarnation does not hold: claims of an earlier
   * incarnation (kept through a restart), or of a claim whose reply was lost. Those targeted here are
   * claimed again by bumping the partition's version, which makes the token newer than any the
   * earlier incarnation had; the others are removed.
   */
  private void reclaimOwn(Map<String, NodeData> ownerData, Map<String, String> target) throws InterruptedException {
    Set<String> known = Set.copyOf(heldPartitions());
    for (Map.Entry<String, NodeData> e : ownerData.entrySet()) {
      String partition = e.getKey();
      NodeData owner = e.getValue();
      if (known.contains(partition) || owner.stat().ephemeralOwner() != 0
          || !memberId.equals(new String(owner.data(), StandardCharsets.UTF_8))) {
        continue;
      }
      String ownerPath = Paths.join(ownersPath, partition);
      Op fence = Op.check(reservationPath, currentReservationVersion());
      try {
        if (!memberId.equals(target.get(partition))) {
          await(ops.multi(List.of(fence, Op.delete(ownerPath, owner.stat().version()))));
          continue;
        }
        NodeData data = await(ops.getData(Paths.join(partitionsPath, partition), null));
        List<OpResult> results = await(ops.multi(List.of(fence,
            Op.check(ownerPath, owner.stat().version()),
            Op.setData(Paths.join(partitionsPath, partition), data.data(), data.stat().version()))));
        Stat stat = ((OpResult.SetDataResult) results.get(2)).stat();
        took(partition, data.data(), stat);
      } catch (BadVersionException | NoNodeException e2) {
        markDirty(); // completed, expired, or superseded meanwhile: look again
      }
    }
  }

  private int currentReservationVersion() {
    lock.lock();
    try {
      return reservationVersion;
    } finally {
      lock.unlock();
    }
  }

  /** Records a claim the service accepted and tells the listener. */
  private void took(String partition, byte[] instructions, Stat stat) {
    FencingToken token = new FencingToken(stat.mzxid());
    lock.lock();
    try {
      held.put(partition, new Held(stat.version(), token));
    } finally {
      lock.unlock();
    }
    moved(true);
    listener.assigned(new Partition(partition, instructions, token, ownershipChecks(partition, stat.version())));
  }

  /**
   * Whether the members or the partitions changed since they were listed, that is while the owners
   * were read. Owners read after a change may already be moving towards the new target; paired with
   * the old members or partitions they make a view the group never passes through, and a plan on it
   * can move a partition that the next round moves back.
   */
  private boolean changedSince(Children members, Children partitions, Children reserved) throws InterruptedException {
    CompletableFuture<Stat> membersNow = ops.exists(membersPath, null);
    CompletableFuture<Stat> partitionsNow = ops.exists(partitionsPath, null);
    CompletableFuture<Stat> reservedNow = ops.exists(staticPath, null);
    Stat m = await(membersNow);
    Stat p = await(partitionsNow);
    Stat r = await(reservedNow);
    return m == null || p == null || r == null
        || m.cversion() != members.stat().cversion()
        || p.cversion() != partitions.stat().cversion()
        || r.cversion() != reserved.stat().cversion();
  }

  /** Creates the member node once per session. */
  private void join() throws InterruptedException {
    long session = client.sessionId();
    lock.lock();
    try {
      if (joinedSession == session) {
        return;
      }
    } finally {
      lock.unlock();
    }
    int version;
    try {
      try {
        version = grace == null ? joinOrdinary(session) : joinStatic(session);
      } catch (NoNodeException firstMember) {
        // The layout is created by the first member only; everyone else joins in one transaction.
        createLayout();
        version = grace == null ? joinOrdinary(session) : joinStatic(session);
      }
    } catch (BadVersionException newerIncarnation) {
      stepAside(); // a re-join after a session loss found the reservation moved on: not ours any more
      return;
    }
    lock.lock();
    try {
      joinedSession = session;
      reservationVersion = version;
    } finally {
      lock.unlock();
    }
  }

  private void createLayout() throws InterruptedException {
    for (String dir : List.of(membersPath, partitionsPath, ownersPath, staticPath, countsPath)) {
      try {
        await(ops.createWithParents(dir, new byte[0], CreateMode.PERSISTENT));
      } catch (NodeExistsException e) {
        // already there
      }
    }
  }

  /** An ordinary member: its node must not exist on another session, and its id must not be static. */
  private int joinOrdinary(long session) throws InterruptedException {
    if (await(ops.exists(reservationPath, null)) != null) {
      throw new DuplicateMemberException(root, memberId);
    }
    String node = Paths.join(membersPath, memberId);
    for (int attempt = 0; ; attempt++) {
      try {
        // The count marker comes with the member node: the others count this member from the start.
        await(ops.multi(List.of(
            Op.create(node, memberData, CreateMode.EPHEMERAL),
            Op.setData(membersPath, new byte[0], -1),
            Op.create(marker(0), new byte[0], CreateMode.EPHEMERAL))));
        markerLock.lock();
        try {
          markerCount = 0;
        } finally {
          markerLock.unlock();
        }
        return -1;
      } catch (NodeExistsException e) {
        Stat stat = await(ops.exists(node, null));
        if (stat != null && stat.ephemeralOwner() != session) {
          throw new DuplicateMemberException(root, memberId);
        }
        if (stat != null || attempt == 3) {
          return -1; // ours already (a lost reply): the first round puts the marker right
        }
        // A marker of an earlier member with this id lingers (its session not yet ended): remove it.
        for (Map.Entry<String, List<Integer>> e2 : listMarkers().entrySet()) {
          if (e2.getKey().equals(memberId)) {
            for (int count : e2.getValue()) {
              try {
                await(ops.delete(marker(count), -1));
              } catch (NoNodeException gone) {
                // already
              }
            }
          }
        }
      }
    }
  }

  /**
   * A static member: creates its member node and bumps its reservation in one transaction, and
   * returns the reservation's new version. A member node of another session under a static id is
   * an earlier incarnation of this member: it is replaced in the same transaction (the earlier
   * incarnation sees the reservation's version move and stops). Under an id that is not static,
   * another session's node is a duplicate.
   */
  private int joinStatic(long session) throws InterruptedException {
    String node = Paths.join(membersPath, memberId);
    // On a re-join (after a session loss) the reservation must still be at the version our last
    // join left: if it moved, a newer incarnation joined meanwhile, and this one must not replace it.
    int expected = currentReservationVersion();
    for (int attempt = 0; ; attempt++) {
      if (attempt == 10) {
        throw new IllegalStateException(memberId + ": could not join " + root + ", the member id keeps changing hands");
      }
      try {
        List<OpResult> results = await(ops.multi(List.of(
            Op.create(node, memberData, CreateMode.EPHEMERAL),
            Op.setData(reservationPath, memberData, expected),
            Op.setData(membersPath, new byte[0], -1))));
        return ((OpResult.SetDataResult) results.get(1)).stat().version();
      } catch (NoNodeException noReservation) {
        expected = -1; // none, or its grace period ended while we were away: we join afresh
        // The reservation (or the layout: then NoNode goes up to join, which creates it) is missing.
        try {
          await(ops.create(reservationPath, memberData, CreateMode.PERSISTENT));
        } catch (NodeExistsException raced) {
          if (attempt > 0) {
            throw noReservation; // the reservation is there: what is missing is the layout
          }
        }
        continue;
      } catch (NodeExistsException e) {
        // ours after a lost reply, an earlier incarnation, or an ordinary member with this id
      }
      Stat reservation = await(ops.exists(reservationPath, null)); // read before the node: see below
      Stat stat = await(ops.exists(node, null));
      if (stat == null) {
        continue;
      }
      if (stat.ephemeralOwner() == session && reservation != null) {
        // Our own join whose reply was lost: nobody changes the reservation while our node lives
        // but a newer incarnation, which would have replaced the node before we read it.
        return reservation.version();
      }
      if (reservation == null) {
        throw new DuplicateMemberException(root, memberId);
      }
      try {
        List<OpResult> results = await(ops.multi(List.of(
            Op.delete(node, stat.version()),
            Op.create(node, memberData, CreateMode.EPHEMERAL),
            Op.setData(reservationPath, memberData, expected),
            Op.setData(membersPath, new byte[0], -1))));
        log.info("{}: replaced the earlier incarnation of session {} in {}", memberId, stat.ephemeralOwner(), root);
        return ((OpResult.SetDataResult) results.get(2)).stat().version();
      } catch (BadVersionException moved) {
        if (expected != -1) {
          throw moved; // a re-join, and a newer incarnation holds the id
        }
      } catch (NoNodeException | NodeExistsException changed) {
        // it left or changed meanwhile: try again
      }
    }
  }

  /** Partitions we think we hold but whose owner node is no longer ours were lost. */
  private void forgetLost(java.util.function.Predicate<String> stillOurs) {
    for (String partition : heldPartitions()) {
      if (!stillOurs.test(partition)) {
        lock.lock();
        try {
          held.remove(partition);
        } finally {
          lock.unlock();
        }
        moved(false);
        listener.revoked(partition);
      }
    }
  }

  /** Reports a partition taken or given up to the client's event listener, if one is bound. */
  private void moved(boolean assigned) {
    movesSoFar.incrementAndGet();
    if (events != null) {
      events.partitionMoved(root, assigned);
    }
  }

  /**
   * An owner node with our id that we do not know of is a claim whose reply was lost (the client
   * retried, met our own node and reported NodeExists), or a release whose delete failed: take it
   * up, or it would sit owned and idle. The plan then keeps or releases it like any other.
   */
  private void adoptOrphans(Map<String, String> owners) throws InterruptedException {
    long session = client.sessionId();
    Set<String> known = Set.copyOf(heldPartitions());
    for (Map.Entry<String, String> e : owners.entrySet()) {
      if (!e.getValue().equals(memberId) || known.contains(e.getKey())) {
        continue;
      }
      Stat owner = await(ops.exists(Paths.join(ownersPath, e.getKey()), null));
      if (owner == null || owner.ephemeralOwner() != session) {
        continue;
      }
      NodeData data;
      try {
        data = await(ops.getData(Paths.join(partitionsPath, e.getKey()), null));
      } catch (NoNodeException gone) {
        continue;
      }
      FencingToken token = new FencingToken(owner.czxid());
      lock.lock();
      try {
        held.put(e.getKey(), new Held(data.stat().version(), token));
      } finally {
        lock.unlock();
      }
      moved(true);
      listener.assigned(new Partition(e.getKey(), data.data(), token, ownershipChecks(e.getKey(), data.stat().version())));
    }
  }

  private void revokeAndRelease(String partition) throws InterruptedException {
    Held h;
    lock.lock();
    try {
      h = held.get(partition);
    } finally {
      lock.unlock();
    }
    if (h == null) {
      return;
    }
    moved(false);
    listener.revoked(partition);
    release(partition, h);
  }

  private void release(String partition, Held h) throws InterruptedException {
    // Forgotten before the owner node goes, so that owned() never lists a partition another member
    // may already have claimed. If the delete fails, the node is still ours and the next round
    // adopts it again.
    lock.lock();
    try {
      held.remove(partition, h);
    } finally {
      lock.unlock();
    }
    List<Op> txn = new ArrayList<>(List.of(
        Op.check(Paths.join(partitionsPath, partition), h.version()),
        Op.delete(Paths.join(ownersPath, partition), -1)));
    markerLock.lock();
    try {
      releaseCounted(txn);
    } finally {
      markerLock.unlock();
    }
  }

  /**
   * A release's (or completion's) transaction of two ops, with the marker's move when the marker is
   * known. Under markerLock. Whether the two ops were applied: false if the claim was already gone
   * (session loss, or the partition was completed or changed).
   */
  private boolean releaseCounted(List<Op> txn) throws InterruptedException {
    int count = markerCount;
    if (grace == null && count > 0) {
      txn.add(Op.delete(marker(count), -1));
      txn.add(Op.create(marker(count - 1), new byte[0], CreateMode.EPHEMERAL));
    }
    try {
      await(ops.multi(txn));
      if (txn.size() > 2) {
        markerCount = count - 1;
      }
      return true;
    } catch (BadVersionException | NoNodeException | NodeExistsException e) {
      if (txn.size() == 2) {
        return false;
      }
      // Perhaps only the marker was not as this member last left it: apply the two ops without it,
      // and let the next round put the marker right.
      try {
        await(ops.multi(txn.subList(0, 2)));
        markerCount = -1;
        return true;
      } catch (BadVersionException | NoNodeException e2) {
        return false; // the marker is as it was
      }
    }
  }

  /**
   * Claims a partition, only if the membership epoch is still {@code epoch}: a plan must not go on
   * claiming once a member has joined or left.
   *
   * @return false if the claim was refused (taken, changed, or the membership moved on)
   */
  private boolean claim(String partition, int epoch) throws InterruptedException {
    String partitionPath = Paths.join(partitionsPath, partition);
    NodeData data;
    try {
      data = await(ops.getData(partitionPath, null));
    } catch (NoNodeException e) {
      markDirty();
      return false;
    }
    List<Op> txn = new ArrayList<>();
    txn.add(Op.check(membersPath, epoch));
    if (grace != null) {
      // A static member's claims outlive its session (they are kept for it through a restart), and
      // are fenced by its reservation instead: a newer incarnation's join makes this claim fail.
      txn.add(Op.check(reservationPath, currentReservationVersion()));
    }
    int setData = txn.size();
    txn.add(Op.setData(partitionPath, data.data(), data.stat().version()));
    txn.add(Op.create(Paths.join(ownersPath, partition), memberIdBytes,
        grace == null ? CreateMode.EPHEMERAL : CreateMode.PERSISTENT));
    Stat stat;
    markerLock.lock();
    try {
      stat = claimCounted(txn, setData);
    } finally {
      markerLock.unlock();
    }
    if (stat == null) {
      return false;
    }
    took(partition, data.data(), stat); // the listener runs outside the marker lock
    return true;
  }

  /**
   * A claim's transaction, with the marker's move for an ordinary member. Under markerLock.
   *
   * @return the partition node's new stat, or null if the claim was refused
   */
  private Stat claimCounted(List<Op> txn, int setData) throws InterruptedException {
    int count = markerCount;
    if (grace == null) {
      // The marker counts the claim in the same transaction, so that it never disagrees with the
      // owner nodes. A round runs only with a known marker (see ownMarkerInSync).
      if (count < 0) {
        markDirty();
        return null;
      }
      txn.add(Op.delete(marker(count), -1));
      txn.add(Op.create(marker(count + 1), new byte[0], CreateMode.EPHEMERAL));
    }
    List<OpResult> results;
    try {
      results = await(ops.multi(txn));
    } catch (NodeExistsException | BadVersionException | NoNodeException e) {
      markDirty(); // someone else got there first, or something changed: look again
      return null;
    }
    if (grace == null) {
      markerCount = count + 1;
    }
    return ((OpResult.SetDataResult) results.get(setData)).stat();
  }

  /** Releases everything and removes the member node; best effort, on the way out. */
  private void leave() throws InterruptedException {
    if (client.isClosed()) {
      revokeAllLost(); // nothing to release: the closed session took every owner node with it
      return;
    }
    for (String partition : heldPartitions()) {
      try {
        revokeAndRelease(partition);
      } catch (CoordinationException | IllegalStateException e) { // the latter: the client closed meanwhile
        log.debug("{}: could not release {} on leaving: {}", memberId, partition, e.toString());
      }
    }
    long session;
    lock.lock();
    try {
      session = joinedSession;
    } finally {
      lock.unlock();
    }
    if (session != 0 && client.isLiveSession(session)) {
      List<Op> txn = new ArrayList<>();
      txn.add(Op.delete(Paths.join(membersPath, memberId), -1));
      if (grace != null) {
        txn.add(Op.delete(reservationPath, currentReservationVersion())); // a leave has no grace period
      }
      txn.add(Op.setData(membersPath, new byte[0], -1));
      markerLock.lock();
      try {
        leaveCounted(txn);
      } catch (CoordinationException | IllegalStateException e) {
        log.debug("{}: could not remove member node: {}", memberId, e.toString());
      } finally {
        markerLock.unlock();
      }
    }
  }

  /** The leave's transaction, with the marker's removal when the marker is known. Under markerLock. */
  private void leaveCounted(List<Op> txn) throws InterruptedException {
    boolean counted = grace == null && markerCount >= 0;
    if (counted) {
      txn.add(Op.delete(marker(markerCount), -1));
    }
    try {
      await(ops.multi(txn));
    } catch (NoNodeException staleMarker) {
      if (!counted) {
        throw staleMarker;
      }
      // the marker is not the one we think: it goes with the session
      await(ops.multi(txn.subList(0, txn.size() - 1)));
    }
  }

  /**
   * On {@link #closeForRestart} or when superseded: the listener is told everything is revoked and
   * nothing is released. For a restart the member node goes (if still this session's), so that
   * the others start measuring the grace period now rather than when the session ends.
   */
  private void stopForRestart() throws InterruptedException {
    revokeAllLost();
    boolean wasSuperseded;
    lock.lock();
    try {
      wasSuperseded = superseded;
    } finally {
      lock.unlock();
    }
    if (wasSuperseded || client.isClosed()) {
      return;
    }
    long session = client.sessionId();
    try {
      String node = Paths.join(membersPath, memberId);
      Stat stat = await(ops.exists(node, null));
      if (stat != null && stat.ephemeralOwner() == session) {
        await(ops.multi(List.of(Op.delete(node, stat.version()), Op.setData(membersPath, new byte[0], -1))));
      }
    } catch (CoordinationException | IllegalStateException e) {
      log.debug("{}: could not remove member node for the restart: {}", memberId, e.toString());
    }
  }

  private List<String> heldPartitions() {
    lock.lock();
    try {
      return new ArrayList<>(held.keySet());
    } finally {
      lock.unlock();
    }
  }

  private void connectionChanged(Cohort c, ConnectionState state) {
    if (state.isConnected()) {
      // Events may have been missed while disconnected, and a new session has no watches.
      ownerReads.forgetAll();
      memberReads.forgetAll();
    }
    if (state.isConnected() || state == ConnectionState.LOST) {
      markDirty();
    }
  }

  private boolean joinedSessionEnded() {
    lock.lock();
    try {
      return joinedSession != 0 && joinedSession != client.sessionId();
    } finally {
      lock.unlock();
    }
  }

  /** Everything we held went with the lost session: tell the listener, then forget it. */
  private void revokeAllLost() {
    List<String> lost;
    lock.lock();
    try {
      lost = new ArrayList<>(held.keySet());
      held.clear();
      joinedSession = 0;
    } finally {
      lock.unlock();
    }
    markerLock.lock();
    try {
      markerCount = -1; // the marker went with the session, or is to be put right
    } finally {
      markerLock.unlock();
    }
    for (String partition : lost) {
      moved(false);
      listener.revoked(partition);
    }
  }

  private void markDirty() {
    lock.lock();
    try {
      dirty = true;
      signal();
    } finally {
      lock.unlock();
    }
  }

  private static void requireSegment(String id, String what) {
    Objects.requireNonNull(id, what);
    if (id.isEmpty() || id.indexOf('/') >= 0 || !Paths.isValid("/" + id)) {
      throw new IllegalArgumentException(what + " must be one valid path segment: '" + id + "'");
    }
  }

  /** Waits for {@code future}; its failure is rethrown as it is, a checked one wrapped. */
  static <T> T await(CompletableFuture<T> future) throws InterruptedException {
    try {
      return future.get();
    } catch (ExecutionException e) {
      Throwable cause = e.getCause();
      if (cause instanceof RuntimeException re) {
        throw re;
      }
      if (cause instanceof Error err) {
        throw err;
      }
      throw new IllegalStateException(cause);
    }
  }

  /** Configures and starts a {@link PartitionClaimer}. */
  public static final class Builder {
    private final Cohort client;
    private final String root;
    private final String memberId;
    private final PartitionListener listener;
    private Executor executor;
    private Duration grace;
    private int weight = 1;
    private int maxPartitions = Integer.MAX_VALUE;

    private Builder(Cohort client, String root, String memberId, PartitionListener listener) {
      this.client = Objects.requireNonNull(client, "client");
      Paths.validate(root);
      this.root = root;
      requireSegment(memberId, "member id");
      this.memberId = memberId;
      this.listener = Objects.requireNonNull(listener, "listener");
    }

    /**
     * Where the member's loop runs (it occupies one thread for the member's life, and calls the
     * {@link PartitionListener} there); default a daemon thread of its own.
     */
    public Builder executor(Executor executor) {
      this.executor = Objects.requireNonNull(executor, "executor");
      return this;
    }

    /**
     * Makes this a <b>static member</b>: its id names one logical member across restarts (Kafka's
     * {@code group.instance.id}). When its session ends without a leave (a crash, an expiry, or
     * {@link PartitionClaimer#closeForRestart}), its claims are kept for {@code gracePeriod}: the
     * others neither take its partitions nor rebalance, and a member started with the same id
     * within that time claims the same partitions again, with fencing tokens newer than the
     * earlier incarnation's. Started while the earlier incarnation's session still lives, it
     * replaces that incarnation (which then stops, see {@link PartitionClaimer#isSuperseded()})
     * instead of being refused. After the grace period the others take the partitions; {@link
     * PartitionClaimer#close()} leaves at once, with no grace period.
     *
     * <p>The grace period starts when the others see the member node gone (at once for {@code
     * closeForRestart}, when the service expires the session after a crash) and is measured by each
     * other member on its own client's {@link dev.cohort.spi.TimeSource}; the first to see it end
     * frees the partitions. With no other member running, nobody measures it, and the partitions
     * wait for whoever joins next (which measures a full grace period from then).
     *
     * <p>Use one id either always static or never: an ordinary member is refused an id that has a
     * reservation, and a static member an id an ordinary member holds.
     *
     * @throws IllegalArgumentException if {@code gracePeriod} is not positive
     */
    public Builder staticMembership(Duration gracePeriod) {
      Objects.requireNonNull(gracePeriod, "gracePeriod");
      if (gracePeriod.isNegative() || gracePeriod.isZero()) {
        throw new IllegalArgumentException("grace period must be positive: " + gracePeriod);
      }
      this.grace = gracePeriod;
      return this;
    }

    /**
     * This member's weight: its share of the partitions is proportional to it (a member of weight
     * 2 gets about twice as many as one of weight 1). Default 1.
     *
     * @throws IllegalArgumentException if {@code weight} is below 1
     */
    public Builder weight(int weight) {
      if (weight < 1) {
        throw new IllegalArgumentException("weight must be at least 1: " + weight);
      }
      this.weight = weight;
      return this;
    }

    /**
     * The most partitions this member ever holds; the rest go to the others. Partitions beyond the
     * sum of every member's maximum stay unclaimed until a member with room joins; each member
     * reports them in {@link PartitionClaimer#unassigned()} and logs a warning. Default: no maximum.
     *
     * @throws IllegalArgumentException if {@code max} is negative
     */
    public Builder maxPartitions(int max) {
      if (max < 0) {
        throw new IllegalArgumentException("maximum must not be negative: " + max);
      }
      this.maxPartitions = max;
      return this;
    }

    /**
     * Joins and starts claiming.
     *
     * @throws DuplicateMemberException if another live session uses this member id and it is not
     *     static, or this ordinary member's id is reserved by a static member (nothing joined)
     * @throws IllegalStateException if the client is not started or is closed
     */
    public PartitionClaimer start() throws InterruptedException {
      client.checkUsable();
      PartitionClaimer claimer = new PartitionClaimer(this);
      claimer.join(); // up front, so that a duplicate id fails here and not in the background
      claimer.start();
      return claimer;
    }
  }
}
