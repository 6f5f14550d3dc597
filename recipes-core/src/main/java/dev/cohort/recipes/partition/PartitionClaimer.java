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
 * {@code members/<memberId>} (ephemeral, one per live member) and {@code owners/<id>} (ephemeral;
 * data = the owning member's id). The data version of {@code members} is the membership epoch:
 * a member joining or leaving bumps it in the transaction that creates or deletes its node.
 *
 * <h2>How it works</h2>
 * A member runs one loop on its own thread. Each round it reads members, partitions and owners
 * (setting one watch on each list), computes the target with the pure {@link PartitionAssignment}
 * (balanced, sticky, deterministic: every member with the same snapshot computes the same target),
 * then
 * <ol>
 *   <li>for each partition it holds whose target is another member: calls {@link
 *       PartitionListener#revoked}, and once that returns deletes its owner node;
 *   <li>for each partition targeted at it that has no owner: claims it with one transaction that
 *       checks the membership epoch of its view, bumps the partition node's version and creates the
 *       ephemeral owner node, and calls {@link PartitionListener#assigned} with the transaction's
 *       zxid as fencing token. The first refused claim ends the round.
 * </ol>
 * A partition targeted at it but still owned by someone else is left alone: its owner computes the
 * same target and releases it. Since the owner node is created only where none exists, <b>a
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
  private final String memberId;
  private final byte[] memberIdBytes;
  private final PartitionListener listener;
  private final Executor executor;

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

  private final Watcher watcher = event -> markDirty();
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
    this.memberId = b.memberId;
    this.memberIdBytes = b.memberId.getBytes(StandardCharsets.UTF_8);
    this.listener = b.listener;
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
    try {
      await(ops.multi(List.of(
          Op.delete(Paths.join(ownersPath, partitionId), -1),
          Op.delete(Paths.join(partitionsPath, partitionId), h.version()))));
      return true;
    } catch (BadVersionException | NoNodeException e) {
      return false;
    } finally {
      lock.lock();
      try {
        held.remove(partitionId, h);
      } finally {
        lock.unlock();
      }
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
      leave();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } finally {
      client.removeConnectionStateListener(stateListener);
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
    Deadline never = Deadline.never(client);
    while (true) {
      CompletableFuture<Void> signal;
      lock.lock();
      try {
        if (dirty || closed) {
          dirty = false;
          return !closed;
        }
        signal = wake;
      } finally {
        lock.unlock();
      }
      never.await(signal);
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
    ConnectionState state = client.connectionState();
    if (state == ConnectionState.LOST || joinedSessionEnded()) {
      revokeAllLost();
    }
    if (!state.isConnected()) {
      return; // the state listener marks us dirty on reconnect
    }
    join();
    Children members = await(ops.getChildren(membersPath, watcher));
    Children partitions = await(ops.getChildren(partitionsPath, watcher));
    List<String> ownerNodes = await(ops.getChildren(ownersPath, watcher)).names();
    Map<String, String> owners = readOwners(ownerNodes);
    forgetLost(owners);
    adoptOrphans(owners);
    if (changedSince(members, partitions)) {
      markDirty(); // their watches fire too; either way the next round reads again
      return;
    }
    Map<String, String> target = PartitionAssignment.assign(partitions.names(), members.names(), owners);
    for (String partition : heldPartitions()) {
      if (!memberId.equals(target.get(partition))) {
        revokeAndRelease(partition);
      }
    }
    for (Map.Entry<String, String> e : target.entrySet()) {
      if (e.getValue().equals(memberId) && !owners.containsKey(e.getKey())
          && !claim(e.getKey(), members.stat().version())) {
        return; // the view is out of date: the next round plans again
      }
    }
  }

  /**
   * Whether the members or the partitions changed since they were listed, that is while the owners
   * were read. Owners read after a change may already be moving towards the new target; paired with
   * the old members or partitions they make a view the group never passes through, and a plan on it
   * can move a partition that the next round moves back.
   */
  private boolean changedSince(Children members, Children partitions) throws InterruptedException {
    CompletableFuture<Stat> membersNow = ops.exists(membersPath, null);
    CompletableFuture<Stat> partitionsNow = ops.exists(partitionsPath, null);
    Stat m = await(membersNow);
    Stat p = await(partitionsNow);
    return m == null || p == null
        || m.cversion() != members.stat().cversion()
        || p.cversion() != partitions.stat().cversion();
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
    for (String dir : List.of(membersPath, partitionsPath, ownersPath)) {
      try {
        await(ops.createWithParents(dir, new byte[0], CreateMode.PERSISTENT));
      } catch (NodeExistsException e) {
        // already there
      }
    }
    String node = Paths.join(membersPath, memberId);
    try {
      await(ops.multi(List.of(
          Op.create(node, new byte[0], CreateMode.EPHEMERAL),
          Op.setData(membersPath, new byte[0], -1))));
    } catch (NodeExistsException e) {
      Stat stat = await(ops.exists(node, null));
      if (stat != null && stat.ephemeralOwner() != session) {
        throw new DuplicateMemberException(root, memberId);
      }
    }
    lock.lock();
    try {
      joinedSession = session;
    } finally {
      lock.unlock();
    }
  }

  private Map<String, String> readOwners(List<String> ownerNodes) throws InterruptedException {
    List<CompletableFuture<NodeData>> reads = new ArrayList<>();
    for (String partition : ownerNodes) {
      reads.add(ops.getData(Paths.join(ownersPath, partition), null));
    }
    Map<String, String> owners = new HashMap<>();
    for (int i = 0; i < reads.size(); i++) {
      try {
        NodeData data = await(reads.get(i));
        owners.put(ownerNodes.get(i), new String(data.data(), StandardCharsets.UTF_8));
      } catch (NoNodeException released) {
        // released, completed or expired since the listing: unowned. Any other failure ends the
        // round: taken as "unowned", one of our own nodes would look lost and be revoked.
      }
    }
    return owners;
  }

  /** Partitions we think we hold but whose owner node is no longer ours were lost. */
  private void forgetLost(Map<String, String> owners) {
    for (String partition : heldPartitions()) {
      if (!memberId.equals(owners.get(partition))) {
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
    try {
      await(ops.multi(List.of(
          Op.check(Paths.join(partitionsPath, partition), h.version()),
          Op.delete(Paths.join(ownersPath, partition), -1))));
    } catch (BadVersionException | NoNodeException e) {
      // Our claim was already gone (session loss, or the partition was completed): nothing to release.
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
    List<OpResult> results;
    try {
      results = await(ops.multi(List.of(
          Op.check(membersPath, epoch),
          Op.setData(partitionPath, data.data(), data.stat().version()),
          Op.create(Paths.join(ownersPath, partition), memberIdBytes, CreateMode.EPHEMERAL))));
    } catch (NodeExistsException | BadVersionException | NoNodeException e) {
      markDirty(); // someone else got there first, or something changed: look again
      return false;
    }
    Stat stat = ((OpResult.SetDataResult) results.get(1)).stat();
    FencingToken token = new FencingToken(stat.mzxid());
    lock.lock();
    try {
      held.put(partition, new Held(stat.version(), token));
    } finally {
      lock.unlock();
    }
    moved(true);
    listener.assigned(new Partition(partition, data.data(), token, ownershipChecks(partition, stat.version())));
    return true;
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
      try {
        await(ops.multi(List.of(
            Op.delete(Paths.join(membersPath, memberId), -1),
            Op.setData(membersPath, new byte[0], -1))));
      } catch (CoordinationException | IllegalStateException e) {
        log.debug("{}: could not remove member node: {}", memberId, e.toString());
      }
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

  private static <T> T await(CompletableFuture<T> future) throws InterruptedException {
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
     * Joins and starts claiming.
     *
     * @throws DuplicateMemberException if another live session uses this member id (nothing joined)
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
