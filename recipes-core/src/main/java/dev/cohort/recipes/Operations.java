package dev.cohort.recipes;

import dev.cohort.spi.BlockingSession;
import dev.cohort.spi.Capability;
import dev.cohort.spi.Children;
import dev.cohort.spi.ConnectionLossException;
import dev.cohort.spi.CoordinationException;
import dev.cohort.spi.CreateMode;
import dev.cohort.spi.Created;
import dev.cohort.spi.ErrorCode;
import dev.cohort.spi.NoNodeException;
import dev.cohort.spi.NodeData;
import dev.cohort.spi.NodeExistsException;
import dev.cohort.spi.Op;
import dev.cohort.spi.OpResult;
import dev.cohort.spi.Paths;
import dev.cohort.spi.Session;
import dev.cohort.spi.SessionState;
import dev.cohort.spi.SessionStateListener;
import dev.cohort.spi.Stat;
import dev.cohort.spi.WatchEvent;
import dev.cohort.spi.WatchMode;
import dev.cohort.spi.Watcher;
import java.lang.ref.WeakReference;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.UUID;
import java.util.WeakHashMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Function;

/**
 * The client's operations: namespacing, retries of outcome-unknown failures, and the ownership
 * helpers (protected create, guaranteed and conditional delete).
 *
 * <p>Every operation binds to the session current when it is called and never moves to another
 * one: a result always speaks about one session, which is what ownership checks rely on. Nothing
 * here blocks (the blocking forms of {@link Call} run in {@link Blocking}, on the caller's thread);
 * continuations run on backend threads and only issue further asynchronous requests or hand a delay
 * to the scheduler.
 */
final class Operations implements AsyncOps {

  /** Marks a protected node's name: {@code _c_<uuid>-<name><sequence>}. */
  static final String PROTECTED_MARKER = "_c_";
  private static final int MAX_PARENT_ATTEMPTS = 5;
  /** Background deletes never give up while their session lives; this caps their delay. */
  private static final ExponentialBackoff BACKGROUND_BACKOFF =
      new ExponentialBackoff(Duration.ofMillis(10), Duration.ofSeconds(1), Integer.MAX_VALUE, Duration.ofDays(365_000));

  private final Cohort client;

  Operations(Cohort client) {
    this.client = client;
  }

  // ---- plain operations --------------------------------------------------------------------

  /**
   * One plain operation, namespaced once (backend path, wrapped watcher), in both forms over a
   * session; each form maps its result back to namespace-relative paths. The asynchronous client
   * runs {@code async} under the retry policy; the blocking client ({@link Blocking}) makes the first
   * attempt with {@code blocking} on the caller's thread and, if that attempt fails with something
   * the policy retries, continues with {@code async} ({@link #retryAfter}). {@code retryable} is
   * false for an operation that creates sequential nodes: after a lost reply a node may exist that a
   * retry would duplicate, so such an operation is tried once.
   */
  record Call<T>(Function<Session, CompletableFuture<T>> async, BlockingCall<T> blocking, boolean retryable) {}

  /** The blocking form of a {@link Call}. */
  @FunctionalInterface
  interface BlockingCall<T> {
    T apply(BlockingSession session) throws InterruptedException;
  }

  private <T> CompletableFuture<T> start(Call<T> call) {
    return call.retryable() ? retrying(call.async()) : call.async().apply(client.session());
  }

  @Override
  public CompletableFuture<Created> create(String path, byte[] data, CreateMode mode) {
    return start(createCall(path, data, mode));
  }

  Call<Created> createCall(String path, byte[] data, CreateMode mode) {
    String full = full(path);
    Objects.requireNonNull(data, "data");
    Objects.requireNonNull(mode, "mode");
    return new Call<>(
        s -> s.create(full, data, mode).thenApply(this::relative),
        b -> relative(b.create(full, data, mode)),
        !mode.isSequential());
  }

  @Override
  public CompletableFuture<Created> createWithParents(String path, byte[] data, CreateMode mode) {
    String full = full(path);
    Objects.requireNonNull(data, "data");
    Objects.requireNonNull(mode, "mode");
    Session s = client.session();
    Function<Session, CompletableFuture<Created>> op = x -> x.create(full, data, mode);
    CompletableFuture<Created> result = new CompletableFuture<>();
    createAfterParents(s, full, containerParents(mode), mode.isSequential() ? op : null, op, result, 0);
    return result.thenApply(this::relative);
  }

  private void createAfterParents(Session s, String full, boolean containers,
      Function<Session, CompletableFuture<Created>> noRetry, Function<Session, CompletableFuture<Created>> op,
      CompletableFuture<Created> result, int attempt) {
    CompletableFuture<Created> f = noRetry != null ? noRetry.apply(s) : retrying(s, op);
    f.whenComplete((created, error) -> {
      if (error == null) {
        result.complete(created);
        return;
      }
      Throwable cause = unwrap(error);
      if (cause instanceof NoNodeException && attempt < MAX_PARENT_ATTEMPTS) {
        ensurePath(s, Paths.parent(full), containers).whenComplete((ignored, parentError) -> {
          if (parentError != null) {
            result.completeExceptionally(unwrap(parentError));
          } else {
            createAfterParents(s, full, containers, noRetry, op, result, attempt + 1);
          }
        });
      } else {
        result.completeExceptionally(cause);
      }
    });
  }

  /**
   * Whether the missing ancestors of a node created with {@code mode} are created as containers:
   * when the backend has {@link Capability#CONTAINER_NODES} and the node goes away by itself
   * (ephemeral, container or TTL), so that a directory only such nodes lived in (a lock's, a
   * latch's, a group's) disappears once the last of them is gone instead of staying forever. A
   * directory of persistent nodes (a queue's jobs) stays persistent: its readers list it while it is
   * empty and would otherwise have to treat its absence as emptiness.
   *
   * <p>A container may be removed between the create of a parent and the create of its child; the
   * child's create then fails with NoNode and the parents are ensured again, at most {@link
   * #MAX_PARENT_ATTEMPTS} times, so a directory emptied over and over cannot hold a create forever.
   */
  boolean containerParents(CreateMode mode) {
    return (mode.isEphemeral() || mode.isContainer() || mode.isTtl())
        && client.backend().has(Capability.CONTAINER_NODES);
  }

  /**
   * Makes sure the node {@code full} (a backend path) and its ancestors exist, as empty persistent
   * nodes, or as containers if {@code containers} (see {@link #containerParents}).
   */
  CompletableFuture<Void> ensurePath(Session s, String full, boolean containers) {
    CompletableFuture<Void> done = new CompletableFuture<>();
    ensurePath(s, full, containers, done, 0);
    return done;
  }

  private void ensurePath(Session s, String full, boolean containers, CompletableFuture<Void> done, int attempt) {
    if (full.equals(Paths.ROOT)) {
      done.complete(null);
      return;
    }
    CreateMode mode = containers ? CreateMode.CONTAINER : CreateMode.PERSISTENT;
    retrying(s, x -> x.create(full, new byte[0], mode)).whenComplete((c, error) -> {
      Throwable cause = error == null ? null : unwrap(error);
      if (cause == null || cause instanceof NodeExistsException) {
        done.complete(null);
      } else if (cause instanceof NoNodeException && attempt < MAX_PARENT_ATTEMPTS) {
        ensurePath(s, Paths.parent(full), containers).whenComplete((ignored, parentError) -> {
          if (parentError != null) {
            done.completeExceptionally(unwrap(parentError));
          } else {
            ensurePath(s, full, containers, done, attempt + 1);
          }
        });
      } else {
        done.completeExceptionally(cause);
      }
    });
  }

  @Override
  public CompletableFuture<Void> delete(String path, int version) {
    return start(deleteCall(path, version));
  }

  Call<Void> deleteCall(String path, int version) {
    String full = full(path);
    return new Call<>(s -> s.delete(full, version), b -> {
      b.delete(full, version);
      return null;
    }, true);
  }

  @Override
  public CompletableFuture<Stat> exists(String path, Watcher watcher) {
    return start(existsCall(path, watcher));
  }

  Call<Stat> existsCall(String path, Watcher watcher) {
    String full = full(path);
    Watcher w = wrap(watcher);
    return new Call<>(s -> s.exists(full, w), b -> b.exists(full, w), true);
  }

  @Override
  public CompletableFuture<NodeData> getData(String path, Watcher watcher) {
    return start(getDataCall(path, watcher));
  }

  Call<NodeData> getDataCall(String path, Watcher watcher) {
    String full = full(path);
    Watcher w = wrap(watcher);
    return new Call<>(s -> s.getData(full, w), b -> b.getData(full, w), true);
  }

  @Override
  public CompletableFuture<Stat> setData(String path, byte[] data, int version) {
    return start(setDataCall(path, data, version));
  }

  Call<Stat> setDataCall(String path, byte[] data, int version) {
    String full = full(path);
    Objects.requireNonNull(data, "data");
    return new Call<>(s -> s.setData(full, data, version), b -> b.setData(full, data, version), true);
  }

  @Override
  public CompletableFuture<Children> getChildren(String path, Watcher watcher) {
    return start(getChildrenCall(path, watcher));
  }

  Call<Children> getChildrenCall(String path, Watcher watcher) {
    String full = full(path);
    Watcher w = wrap(watcher);
    return new Call<>(s -> s.getChildren(full, w), b -> b.getChildren(full, w), true);
  }

  @Override
  public CompletableFuture<Void> sync(String path) {
    return start(syncCall(path));
  }

  Call<Void> syncCall(String path) {
    String full = full(path);
    return new Call<>(s -> s.sync(full), b -> {
      b.sync(full);
      return null;
    }, true);
  }

  @Override
  public CompletableFuture<Void> addWatch(String path, WatchMode mode, Watcher watcher) {
    String full = full(path);
    Objects.requireNonNull(mode, "mode");
    Watcher w = wrap(Objects.requireNonNull(watcher, "watcher"));
    return retrying(s -> s.addWatch(full, mode, w));
  }

  @Override
  public CompletableFuture<Void> removeWatches(String path, Watcher watcher) {
    String full = full(path);
    Watcher w = wrap(Objects.requireNonNull(watcher, "watcher"));
    return retrying(s -> s.removeWatches(full, w));
  }

  @Override
  public CompletableFuture<List<OpResult>> multi(List<Op> ops) {
    return start(multiCall(ops));
  }

  Call<List<OpResult>> multiCall(List<Op> ops) {
    Objects.requireNonNull(ops, "ops");
    List<Op> namespaced = new ArrayList<>(ops.size());
    boolean sequential = false;
    for (Op op : ops) {
      namespaced.add(namespaced(op));
      sequential |= op instanceof Op.Create c && c.mode().isSequential();
    }
    return new Call<>(
        s -> s.multi(namespaced).thenApply(this::relative),
        b -> relative(b.multi(namespaced)),
        !sequential);
  }

  private Op namespaced(Op op) {
    if (!client.hasNamespace()) {
      return op;
    }
    if (op instanceof Op.Create c) {
      return c.ttl() == null ? Op.create(full(c.path()), c.data(), c.mode()) : Op.create(full(c.path()), c.data(), c.mode(), c.ttl());
    } else if (op instanceof Op.Delete d) {
      return Op.delete(full(d.path()), d.version());
    } else if (op instanceof Op.SetData sd) {
      return Op.setData(full(sd.path()), sd.data(), sd.version());
    } else if (op instanceof Op.Check ch) {
      return Op.check(full(ch.path()), ch.version());
    } else if (op instanceof Op.GetData g) {
      return Op.getData(full(g.path()));
    } else if (op instanceof Op.GetChildren g) {
      return Op.getChildren(full(g.path()));
    }
    throw new IllegalArgumentException("unknown op " + op);
  }

  private List<OpResult> relative(List<OpResult> results) {
    return results.stream().map(this::relative).toList();
  }

  private OpResult relative(OpResult result) {
    return result instanceof OpResult.CreateResult c ? new OpResult.CreateResult(client.relativePath(c.path())) : result;
  }

  // ---- ownership helpers -------------------------------------------------------------------

  /**
   * Where persistent protected creates keep their receipts, under the namespace: one ephemeral
   * node per receipt slot, named {@code <client id>-<n>} (see {@link Receipts}).
   */
  static final String RECEIPTS = "/_cohort/receipts";
  private static final byte[] NO_DATA = new byte[0];

  /**
   * Makes protected-create ids unique per creator whatever the client's random source: a nonce
   * drawn once per JVM from the system's entropy (never from the seedable source a test may share
   * between clients) and a process-wide counter.
   */
  private static final long JVM_NONCE = new SecureRandom().nextLong();
  private static final AtomicLong ID_COUNTER = new AtomicLong();

  private final Receipts receipts = new Receipts(newId());

  @Override
  public CompletableFuture<OwnedNode> createProtected(String parent, String name, byte[] data, CreateMode mode) {
    ProtectedCreate pc = protectedCreate(parent, name, data, mode);
    pc.send();
    return pc.result;
  }

  @Override
  public CompletableFuture<OwnedNode> createProtectedReplacing(OwnedNode released, String name, byte[] data,
      CreateMode mode) {
    ProtectedCreate pc = replacing(released, name, data, mode);
    if (pc == null) {
      return CompletableFuture.completedFuture(null);
    }
    pc.send();
    return pc.result;
  }

  /**
   * {@link #createProtectedReplacing}, with its transaction sent through the session's blocking view
   * on the caller's thread; a failure of that request continues on the asynchronous steps. If the
   * caller is interrupted while it waits, its node (if the transaction applied) is deleted in the
   * background and the release happens either way.
   */
  OwnedNode createProtectedReplacingBlocking(OwnedNode released, String name, byte[] data, CreateMode mode)
      throws InterruptedException {
    ProtectedCreate pc = replacing(released, name, data, mode);
    if (pc == null) {
      return null;
    }
    try {
      return pc.sendBlocking();
    } catch (CoordinationException e) {
      pc.sendFailed(e);
      return Blocking.await(pc.result);
    } catch (InterruptedException e) {
      // The transaction may have been applied: an interrupted replacing create leaves no node
      // behind (the sweep deletes ours if it exists) and its release happens either way.
      pc.fail(CoordinationException.of(ErrorCode.CONNECTION_LOSS, released.path(),
          "interrupted while waiting for the reply; the create may have been applied", -1, e));
      throw e;
    }
  }

  /** A protected create that carries the held release of {@code released}, or null if none is held. */
  private ProtectedCreate replacing(OwnedNode released, String name, byte[] data, CreateMode mode) {
    Objects.requireNonNull(released, "released");
    if (!mode.isEphemeral()) {
      throw new IllegalArgumentException("a replacing create needs an ephemeral sequential mode, not " + mode);
    }
    String fullReleased = full(released.path());
    ProtectedCreate pc = protectedCreate(Paths.parent(released.path()), name, data, mode);
    pc.joined = takeHeldRelease(pc.session, pc.fullParent, fullReleased);
    return pc.joined == null ? null : pc;
  }

  /**
   * {@link #createProtected}, with its first request sent through the session's blocking view on
   * the caller's thread (see {@link Blocking}); a failure of that request continues on the
   * asynchronous steps exactly as a failed asynchronous request would.
   */
  OwnedNode createProtectedBlocking(String parent, String name, byte[] data, CreateMode mode)
      throws InterruptedException {
    ProtectedCreate pc = protectedCreate(parent, name, data, mode);
    try {
      return pc.sendBlocking();
    } catch (CoordinationException e) {
      pc.sendFailed(e);
      return Blocking.await(pc.result);
    }
  }

  private ProtectedCreate protectedCreate(String parent, String name, byte[] data, CreateMode mode) {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(data, "data");
    Objects.requireNonNull(mode, "mode");
    if (!mode.isSequential()) {
      throw new IllegalArgumentException("a protected create needs a sequential mode, not " + mode);
    }
    if (name.contains("/")) {
      throw new IllegalArgumentException("name must not contain '/': " + name);
    }
    String fullParent = full(parent);
    String marker = PROTECTED_MARKER + newId() + "-";
    return new ProtectedCreate(client.session(), fullParent, marker, name, data, mode);
  }

  /**
   * One protected create. Its node's name carries a marker no other create uses, so that after a
   * lost reply the client can look for it.
   *
   * <p><b>Ephemeral modes.</b> Steps: create → done; on NoNode create the parents and create again;
   * on an unknown outcome wait the backoff, list the parent and look for the marker: found and
   * owned by our session → done (the lost reply had succeeded), not found → create again (an
   * ephemeral of our live session cannot have been taken away by anyone but us).
   *
   * <p><b>Persistent modes.</b> Not finding the node does not mean it was not created: a persistent
   * node may be consumed by someone else (a queue's job taken and completed) before the lost reply
   * is dealt with, and creating it again would make two. So the node is created in one transaction
   * with a receipt: the transaction writes the marker into a receipt slot of the creating session
   * (an ephemeral node, see {@link Receipts}). After an unknown outcome the slot decides: it holds
   * our marker → applied (the node's name is then looked up by its marker, and its czxid is the
   * slot's mzxid, written by the same transaction); it does not → not applied, send it again. If
   * the session ends before the slot could be read, the outcome cannot be learnt and the create
   * fails with a {@link ConnectionLossException}: it may or may not have been applied. The node is
   * never swept away after a failure: it may already be someone else's work.
   */
  private final class ProtectedCreate {
    final Session session;
    final String fullParent;
    final String marker;
    final String prefix;
    final byte[] data;
    final CreateMode mode;
    final CompletableFuture<OwnedNode> result = new CompletableFuture<>();
    final long startNanos = client.timeSource().nanoTime();
    int retries;
    int parentAttempts;
    /** Persistent modes: the receipt slot this create writes its marker to, and the marker's bytes. */
    Receipts.Slot slot;
    byte[] receipt;
    /** Persistent modes: an attempt's outcome is unknown and not yet learnt from the slot. */
    boolean unresolved;
    /**
     * Ephemeral modes: a release held back under the same parent (see {@link
     * #deleteIfOwnedJoinable}) that goes in this create's transaction, or null. Settled (and
     * cleared) once this create knows whether its transaction applied, or sent alone if it fails.
     */
    HeldRelease joined;

    ProtectedCreate(Session session, String fullParent, String marker, String name, byte[] data, CreateMode mode) {
      this.session = session;
      this.fullParent = fullParent;
      this.marker = marker;
      this.prefix = Paths.join(fullParent, marker + name);
      this.data = data;
      this.mode = mode;
      if (!mode.isEphemeral()) {
        slot = receipts.acquire(session);
        receipt = marker.getBytes(StandardCharsets.UTF_8);
      }
    }

    boolean persistent() {
      return slot != null;
    }

    void send() {
      if (persistent()) {
        session.multi(withReceipt()).whenComplete((results, error) -> {
          if (error == null) {
            result.complete(applied(results));
          } else {
            sendFailed(unwrap(error));
          }
        });
      } else if (joined != null) {
        session.multi(joined.opsWith(Op.create(prefix, data, mode))).whenComplete((results, error) -> {
          if (error == null) {
            joinedApplied();
            result.complete(ownedFromJoined(results));
          } else {
            sendFailed(unwrap(error));
          }
        });
      } else {
        session.create(prefix, data, mode).whenComplete((created, error) -> {
          if (error == null) {
            result.complete(owned(created));
          } else {
            sendFailed(unwrap(error));
          }
        });
      }
    }

    /**
     * Our node from a joined transaction's results: the create's path, and its czxid from the mark
     * written in the same transaction (the create's result carries no stat).
     */
    OwnedNode ownedFromJoined(List<OpResult> results) {
      String created = ((OpResult.CreateResult) results.get(results.size() - 1)).path();
      long zxid = ((OpResult.SetDataResult) results.get(0)).stat().mzxid();
      return new OwnedNode(client.relativePath(created), zxid, session.id());
    }

    /** The joined release went with our transaction. */
    void joinedApplied() {
      joinedSettled(true);
    }

    /** The joined release is done with: deleted by our transaction (true) or found gone (false). */
    void joinedSettled(boolean deleted) {
      HeldRelease h = joined;
      joined = null;
      if (h != null) {
        h.done.complete(deleted);
      }
    }

    /** The joined release is not ours to carry any more: it goes alone. */
    void joinedAlone() {
      HeldRelease h = joined;
      joined = null;
      if (h != null) {
        h.sendAlone();
      }
    }

    OwnedNode sendBlocking() throws InterruptedException {
      if (joined != null) {
        List<OpResult> results = session.blocking().multi(joined.opsWith(Op.create(prefix, data, mode)));
        joinedApplied();
        OwnedNode node = ownedFromJoined(results);
        result.complete(node);
        return node;
      }
      if (persistent()) {
        OwnedNode node = applied(session.blocking().multi(withReceipt()));
        result.complete(node);
        return node;
      }
      return owned(session.blocking().create(prefix, data, mode));
    }

    OwnedNode owned(Created created) {
      return new OwnedNode(client.relativePath(created.path()), created.stat().czxid(), session.id());
    }

    /** The create and its receipt, one transaction; the last op's stat carries the transaction's zxid. */
    List<Op> withReceipt() {
      Op create = Op.create(prefix, data, mode);
      Op write = Op.setData(slot.path, receipt, -1);
      return slot.exists ? List.of(create, write) : List.of(create, Op.create(slot.path, NO_DATA, CreateMode.EPHEMERAL), write);
    }

    OwnedNode applied(List<OpResult> results) {
      String created = ((OpResult.CreateResult) results.get(0)).path();
      long zxid = ((OpResult.SetDataResult) results.get(results.size() - 1)).stat().mzxid();
      slot.exists = true;
      receipts.release(slot);
      return new OwnedNode(client.relativePath(created), zxid, session.id());
    }

    /** The next step after a create failed with {@code cause}. */
    void sendFailed(Throwable cause) {
      if (joined != null && cause instanceof NoNodeException nn && HeldRelease.isReleaseOp(nn.opIndex())) {
        // the released node is gone already (its session ended, or it was deleted): nothing was
        // applied, and a replacing create then creates nothing
        joinedSettled(false);
        result.complete(null);
        return;
      }
      if (cause instanceof NoNodeException && parentAttempts++ < MAX_PARENT_ATTEMPTS) {
        CompletableFuture<Void> ready = ensurePath(session, fullParent, containerParents(mode));
        if (persistent()) {
          if (((NoNodeException) cause).opIndex() != 0) {
            slot = receipts.fresh(session); // the receipts' directory or the slot is missing, not the parent
          }
          // Slots are ephemeral: their directory may be a container, and a slot thought to exist
          // may be gone with it (then the slot's op fails, and a fresh slot is taken just above).
          ready = ready.thenCompose(ignored -> ensurePath(session, full(RECEIPTS), containerParents(CreateMode.EPHEMERAL)));
        }
        ready.whenComplete((ignored, parentError) -> {
          if (parentError != null) {
            fail(unwrap(parentError));
          } else {
            send();
          }
        });
        return;
      }
      if (persistent() && cause instanceof NodeExistsException && !unresolved && retries == 0) {
        // Only the slot can exist already (the node's name is new): nothing was applied. A slot
        // thought new that exists is not ours to judge by; take another.
        slot = receipts.fresh(session);
        retries++;
        send();
        return;
      }
      if (persistent() && cause instanceof CoordinationException ce && ce.isOutcomeUnknown()) {
        unresolved = true;
      }
      if (!retryLater(cause, persistent() ? this::readReceipt : this::lookForOurs)) {
        fail(cause);
      }
    }

    void lookForOurs() {
      session.getChildren(fullParent, null).whenComplete((children, error) -> {
        if (error != null) {
          Throwable cause = unwrap(error);
          if (cause instanceof NoNodeException) {
            send();
          } else if (!retryLater(cause, this::lookForOurs)) {
            fail(cause);
          }
          return;
        }
        String ours = ourName(children);
        if (ours == null) {
          send();
        } else {
          checkOwner(Paths.join(fullParent, ours));
        }
      });
    }

    String ourName(Children children) {
      return children.names().stream().filter(n -> n.startsWith(marker)).findFirst().orElse(null);
    }

    void checkOwner(String full) {
      session.exists(full, null).whenComplete((stat, error) -> {
        if (error != null) {
          Throwable cause = unwrap(error);
          if (!retryLater(cause, this::lookForOurs)) {
            fail(cause);
          }
        } else if (stat != null && stat.ephemeralOwner() == session.id()) {
          joinedApplied(); // our node exists: the transaction that carried the release applied
          result.complete(new OwnedNode(client.relativePath(full), stat.czxid(), session.id()));
        } else {
          send();
        }
      });
    }

    /** Persistent modes, after an unknown outcome: the receipt slot tells whether it was applied. */
    void readReceipt() {
      session.getData(slot.path, null).whenComplete((slotData, error) -> {
        Throwable cause = error == null ? null : unwrap(error);
        if (cause == null && Arrays.equals(slotData.data(), receipt)) {
          unresolved = false;
          slot.exists = true;
          findApplied(slotData.stat().mzxid());
        } else if (cause == null || cause instanceof NoNodeException) {
          unresolved = false; // the transaction that writes our marker was not applied
          slot.exists = cause == null;
          send();
        } else if (!retryLater(cause, this::readReceipt)) {
          fail(cause);
        }
      });
    }

    /**
     * The create was applied in transaction {@code zxid}: its node's name, looked up by the marker.
     * If the node is already gone (consumed) its sequence cannot be known any more, and the node is
     * reported by the name it was created under, without the sequence.
     */
    void findApplied(long zxid) {
      receipts.release(slot);
      session.getChildren(fullParent, null).whenComplete((children, error) -> {
        String ours = error == null ? ourName(children) : null;
        String full = ours == null ? prefix : Paths.join(fullParent, ours);
        result.complete(new OwnedNode(client.relativePath(full), zxid, session.id()));
      });
    }

    /**
     * Gives up. Ephemeral modes: if a create may have been applied unseen, a node with our marker
     * may exist: sweep for it in the background, so that giving up never leaves an orphan queued in
     * front of us. Persistent modes: a create whose outcome was never learnt fails as outcome-unknown
     * whatever ended the attempts (so a session that ended meanwhile does not read as "not applied"),
     * and its receipt slot is not used again.
     */
    void fail(Throwable cause) {
      if (persistent()) {
        if (unresolved) {
          if (!(cause instanceof CoordinationException ce && ce.isOutcomeUnknown())) {
            cause = CoordinationException.of(ErrorCode.CONNECTION_LOSS, client.relativePath(prefix),
                "the create's outcome could not be learnt (" + cause.getMessage() + "); it may or may not have been applied",
                -1, cause);
          }
          deleteInBackground(session, slot.path, -1, null, new CompletableFuture<>(), 0);
        } else {
          receipts.release(slot);
        }
        result.completeExceptionally(cause);
        return;
      }
      joinedAlone(); // applied or not, the release must happen: a delete of a gone node is quiet
      result.completeExceptionally(cause);
      if (retries > 0 || (cause instanceof CoordinationException ce && ce.isOutcomeUnknown())) {
        sweep(1);
      }
    }

    void sweep(int attempt) {
      if (session.state().isTerminal() || client.isClosed()) {
        return; // our ephemerals, if any, went with the session
      }
      session.getChildren(fullParent, null).whenComplete((children, error) -> {
        if (error == null) {
          children.names().stream().filter(n -> n.startsWith(marker)).forEach(n ->
              deleteInBackground(session, Paths.join(fullParent, n), -1, null, new CompletableFuture<>(), 0));
        } else if (unwrap(error) instanceof CoordinationException ce && ce.isOutcomeUnknown()) {
          Duration delay = BACKGROUND_BACKOFF.delayBeforeRetry(Math.min(attempt, 30), Duration.ZERO, client.random())
              .orElseThrow();
          client.scheduler().schedule(delay, () -> sweep(attempt + 1));
        }
      });
    }

    /** Schedules {@code next} after the policy's delay if {@code cause} may be retried. */
    boolean retryLater(Throwable cause, Runnable next) {
      Optional<Duration> delay = retryDelay(session, cause, ++retries, startNanos);
      delay.ifPresent(d -> client.scheduler().schedule(d, () -> whenUsable(session, startNanos, next)));
      return delay.isPresent();
    }
  }

  /**
   * The receipt slots of persistent protected creates. A slot is an ephemeral node of one session
   * under {@link #RECEIPTS}, named after this client's id; a create in flight holds one slot and
   * writes its marker into it in the same transaction as the create, so the slot holding that
   * marker proves the create applied. A slot is reused only once its create's outcome is known, by
   * creates on the same session: so a client holds at most as many slots as it had creates in
   * flight at once, and none outlives its session. A slot is created by the first transaction that
   * uses it, so a create costs one request, not two.
   */
  private final class Receipts {
    /** A slot; {@code exists} is known only while no create uses it, and is then kept by the one that does. */
    final class Slot {
      final String path;
      final long sessionId;
      boolean exists;

      Slot(String path, long sessionId) {
        this.path = path;
        this.sessionId = sessionId;
      }
    }

    private final String clientId;
    private final AtomicLong slots = new AtomicLong();
    /** The last slot released: a client that creates one node at a time never touches {@link #free}. */
    private final AtomicReference<Slot> last = new AtomicReference<>();
    private final ConcurrentLinkedQueue<Slot> free = new ConcurrentLinkedQueue<>();

    Receipts(String clientId) {
      this.clientId = clientId;
    }

    /** A free slot of {@code s}, or a new one; slots of ended sessions are dropped on the way. */
    Slot acquire(Session s) {
      Slot slot = last.getAndSet(null);
      if (slot != null && slot.sessionId == s.id()) {
        return slot;
      }
      for (slot = free.poll(); slot != null; slot = free.poll()) {
        if (slot.sessionId == s.id()) {
          return slot;
        }
      }
      return fresh(s);
    }

    /** A new slot of {@code s}, in place of one whose state is not known. */
    Slot fresh(Session s) {
      return new Slot(full(RECEIPTS) + "/" + clientId + "-" + slots.incrementAndGet(), s.id());
    }

    void release(Slot slot) {
      if (!last.compareAndSet(null, slot)) {
        free.add(slot);
      }
    }
  }

  @Override
  public CompletableFuture<Boolean> deleteGuaranteed(String path, int version) {
    String full = full(path);
    CompletableFuture<Boolean> done = new CompletableFuture<>();
    deleteInBackground(client.session(), full, version, null, done, 0);
    return done;
  }

  @Override
  public CompletableFuture<Boolean> deleteIfOwned(OwnedNode node) {
    return deleteIfOwned(node, null);
  }

  @Override
  public CompletableFuture<Boolean> deleteIfOwned(OwnedNode node, byte[] finalData) {
    Objects.requireNonNull(node, "node");
    Session s = client.session();
    if (s.id() != node.sessionId() || s.state().isTerminal()) {
      // The owning session is gone, and its ephemerals with it; sending anything could only hit a
      // node that is not ours.
      return CompletableFuture.completedFuture(false);
    }
    CompletableFuture<Boolean> done = new CompletableFuture<>();
    deleteInBackground(s, full(node.path()), -1, finalData == null ? null : finalData.clone(), done, 0);
    return done;
  }

  // ---- releases held back to join the next create ----------------------------------------

  /** Releases held back, by the full path of their parent: at most one per parent. */
  private final ConcurrentHashMap<String, HeldRelease> held = new ConcurrentHashMap<>();

  @Override
  public CompletableFuture<Boolean> deleteIfOwnedJoinable(OwnedNode node, byte[] finalData) {
    Objects.requireNonNull(node, "node");
    Objects.requireNonNull(finalData, "finalData");
    Duration window = client.writeJoinWindow();
    Session s = client.session();
    if (window.isZero() || s.id() != node.sessionId() || s.state().isTerminal()) {
      return deleteIfOwned(node, finalData);
    }
    String full = full(node.path());
    String parent = Paths.parent(full);
    HeldRelease h = new HeldRelease(s, full, finalData.clone());
    HeldRelease earlier = held.put(parent, h);
    if (earlier != null && earlier.take()) {
      earlier.sendAlone(); // one held release per parent: the earlier one goes now
    }
    client.scheduler().schedule(window, () -> {
      if (h.take()) {
        held.remove(parent, h);
        h.sendAlone();
      }
    });
    return h.done;
  }

  /**
   * The release of {@code fullReleased} held back under {@code fullParent}, now this create's to
   * carry, or null if it is not held any more. A release held on an earlier session is sent alone
   * (it finds its node gone) and null returned.
   */
  private HeldRelease takeHeldRelease(Session s, String fullParent, String fullReleased) {
    HeldRelease h = held.get(fullParent);
    if (h == null || !h.full.equals(fullReleased) || !held.remove(fullParent, h) || !h.take()) {
      return null;
    }
    if (h.session != s || s.state().isTerminal()) {
      h.sendAlone();
      return null;
    }
    return h;
  }

  /**
   * A release held back by {@link #deleteIfOwnedJoinable}: its ops go in front of the next
   * protected ephemeral create under the same parent, or alone when its window passes. Taken once,
   * by whichever comes first.
   */
  private final class HeldRelease {
    final Session session;
    final String full;
    final byte[] finalData;
    final CompletableFuture<Boolean> done = new CompletableFuture<>();
    private final AtomicBoolean taken = new AtomicBoolean();

    HeldRelease(Session session, String full, byte[] finalData) {
      this.session = session;
      this.full = full;
      this.finalData = finalData;
    }

    boolean take() {
      return taken.compareAndSet(false, true);
    }

    /** The release's ops (mark, then delete), then {@code create}: one transaction. */
    List<Op> opsWith(Op create) {
      return List.of(Op.setData(full, finalData, -1), Op.delete(full, -1), create);
    }

    /** Whether the op at {@code index} of {@link #opsWith} is one of the release's (not the create). */
    static boolean isReleaseOp(int index) {
      return index == 0 || index == 1;
    }

    void sendAlone() {
      if (session.state().isTerminal()) {
        done.complete(false); // the node went with its session
        return;
      }
      deleteInBackground(session, full, -1, finalData, done, 0);
    }
  }

  /**
   * Deletes {@code full} on {@code s}, retrying while the outcome is unknown; with {@code finalData},
   * as one multi that first sets the node's data to it.
   */
  private void deleteInBackground(
      Session s, String full, int version, byte[] finalData, CompletableFuture<Boolean> done, int retry) {
    CompletableFuture<?> sent = finalData == null
        ? s.delete(full, version)
        : s.multi(List.of(Op.setData(full, finalData, -1), Op.delete(full, version)));
    sent.whenComplete((ignored, error) -> {
      if (error == null) {
        done.complete(true);
        return;
      }
      Throwable cause = unwrap(error);
      if (cause instanceof NoNodeException || s.state().isTerminal() || (cause instanceof CoordinationException ce && ce.isSessionGone())) {
        done.complete(false);
      } else if (cause instanceof CoordinationException ce && ce.isOutcomeUnknown() && !client.isClosed()) {
        Duration delay = BACKGROUND_BACKOFF.delayBeforeRetry(Math.min(retry + 1, 30), Duration.ZERO, client.random())
            .orElseThrow();
        client.scheduler().schedule(delay, () -> deleteInBackground(s, full, version, finalData, done, retry + 1));
      } else {
        done.completeExceptionally(cause);
      }
    });
  }

  // ---- retry core --------------------------------------------------------------------------

  private <T> CompletableFuture<T> retrying(Function<Session, CompletableFuture<T>> op) {
    return retrying(client.session(), op);
  }

  <T> CompletableFuture<T> retrying(Session s, Function<Session, CompletableFuture<T>> op) {
    CompletableFuture<T> result = new CompletableFuture<>();
    attempt(s, op, result, client.timeSource().nanoTime(), 0);
    return result;
  }

  private <T> void attempt(Session s, Function<Session, CompletableFuture<T>> op, CompletableFuture<T> result,
      long startNanos, int retries) {
    CompletableFuture<T> f;
    try {
      f = op.apply(s);
    } catch (RuntimeException e) {
      result.completeExceptionally(e);
      return;
    }
    f.whenComplete((value, error) -> {
      if (error == null) {
        result.complete(value);
      } else {
        retryOrFail(s, op, result, startNanos, retries, unwrap(error));
      }
    });
  }

  /** After attempt number {@code retries} failed with {@code cause}: the next attempt, or failure. */
  private <T> void retryOrFail(Session s, Function<Session, CompletableFuture<T>> op, CompletableFuture<T> result,
      long startNanos, int retries, Throwable cause) {
    Optional<Duration> delay = retryDelay(s, cause, retries + 1, startNanos);
    if (delay.isPresent()) {
      client.scheduler().schedule(delay.get(),
          () -> whenUsable(s, startNanos, () -> attempt(s, op, result, startNanos, retries + 1)));
    } else {
      result.completeExceptionally(cause);
    }
  }

  /**
   * The rest of an operation whose first attempt, made on {@code s} at {@code startNanos} by another
   * route (the caller's thread, through the session's blocking view), failed with {@code failure}:
   * exactly what {@link #retrying} would do after that failure, from the first retry on, on the same
   * session and with the same backoff. The future fails with {@code failure} itself if the policy
   * does not retry it.
   */
  <T> CompletableFuture<T> retryAfter(Session s, Function<Session, CompletableFuture<T>> op, Throwable failure,
      long startNanos) {
    CompletableFuture<T> result = new CompletableFuture<>();
    retryOrFail(s, op, result, startNanos, 0, failure);
    return result;
  }

  /**
   * Runs {@code retry} once {@code s} can take requests again. A suspended session is refused at
   * once by the backend, and a real client may need longer to reconnect than a whole retry budget
   * lasts, so a retry sent while suspended would be spent on a refusal. Instead the retry waits for
   * the session to leave SUSPENDED (reconnected or ended), but never past the operation's start
   * plus the session timeout: a session cut off that long is as good as expired, and the remaining
   * retries then run their course. Nothing blocks: the wait is a state listener plus a scheduled
   * deadline, and whichever comes first hands the retry to the work executor.
   */
  private void whenUsable(Session s, long startNanos, Runnable retry) {
    long remaining = startNanos + s.sessionTimeout().toNanos() - client.timeSource().nanoTime();
    if (s.state() != SessionState.SUSPENDED || remaining <= 0 || client.isClosed()) {
      retry.run();
      return;
    }
    AtomicBoolean handedOver = new AtomicBoolean();
    SessionStateListener[] listener = new SessionStateListener[1];
    Runnable handOver = () -> {
      if (handedOver.compareAndSet(false, true)) {
        // Not inline: state listeners run on the backend's event delivery, which must not be held up
        // nor re-entered from its own callback.
        Runnable resume = () -> {
          s.removeStateListener(listener[0]);
          retry.run();
        };
        try {
          client.workExecutor().execute(resume);
        } catch (RejectedExecutionException closing) {
          resume.run(); // the client is closing: run it here so that the operation still completes
        }
      }
    };
    listener[0] = (session, state) -> {
      if (state != SessionState.SUSPENDED) {
        handOver.run();
      }
    };
    s.addStateListener(listener[0]);
    if (s.state() != SessionState.SUSPENDED) {
      handOver.run(); // changed before the listener was registered
      return;
    }
    client.scheduler().schedule(Duration.ofNanos(remaining), handOver);
  }

  private Optional<Duration> retryDelay(Session s, Throwable cause, int retry, long startNanos) {
    if (!(cause instanceof CoordinationException ce) || !ce.isOutcomeUnknown() || client.isClosed()
        || s.state().isTerminal()) {
      return Optional.empty();
    }
    Duration elapsed = Duration.ofNanos(client.timeSource().nanoTime() - startNanos);
    return client.retryPolicy().delayBeforeRetry(retry, elapsed, client.random());
  }

  // ---- helpers -----------------------------------------------------------------------------

  private String full(String path) {
    String full = client.fullPath(path);
    Paths.validate(full);
    return full;
  }

  private Created relative(Created created) {
    return client.hasNamespace() ? new Created(client.relativePath(created.path()), created.stat()) : created;
  }

  /**
   * Backends compare watchers by identity, so that a recipe that re-arms the same watcher on a path
   * holds one registration, not one per call: the same watcher must map to the same wrapper. The
   * wrapper is held weakly (the backend holds it while registered), and the key is weak, so neither
   * outlives the recipe's watcher. Guarded by itself.
   */
  private final Map<Watcher, WeakReference<Watcher>> wrappers = new WeakHashMap<>();

  private Watcher wrap(Watcher watcher) {
    if (watcher == null || !client.hasNamespace()) {
      return watcher;
    }
    synchronized (wrappers) {
      WeakReference<Watcher> ref = wrappers.get(watcher);
      Watcher wrapper = ref == null ? null : ref.get();
      if (wrapper == null) {
        wrapper = event -> watcher.process(new WatchEvent(event.type(), client.relativePath(event.path())));
        wrappers.put(watcher, new WeakReference<>(wrapper));
      }
      return wrapper;
    }
  }

  /**
   * A protected-create id: unique per create in this process and, through the JVM's nonce, across
   * processes. Never drawn from the client's random source, which may be seeded alike in several
   * clients (ids identify a node's creator).
   */
  private static String newId() {
    return new UUID(JVM_NONCE, ID_COUNTER.incrementAndGet()).toString();
  }

  static Throwable unwrap(Throwable t) {
    while ((t instanceof CompletionException || t instanceof ExecutionException) && t.getCause() != null) {
      t = t.getCause();
    }
    return t;
  }

  /** The unchecked failure to rethrow for {@code t}, the cause of a failed future. */
  static RuntimeException asUnchecked(Throwable t) {
    Throwable cause = unwrap(t);
    if (cause instanceof RuntimeException re) {
      return re;
    }
    if (cause instanceof Error e) {
      throw e;
    }
    return new IllegalStateException(cause);
  }
}
