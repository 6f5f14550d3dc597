package dev.cohort.recipes.internal;

import dev.cohort.recipes.Cohort;
import dev.cohort.recipes.ConnectionState;
import dev.cohort.recipes.ConnectionStateListener;
import dev.cohort.recipes.NodeNames;
import dev.cohort.recipes.OwnedNode;
import dev.cohort.recipes.locks.LockDecisions;
import dev.cohort.spi.Children;
import dev.cohort.spi.ConnectionLossException;
import dev.cohort.spi.CoordinationException;
import dev.cohort.spi.CreateMode;
import dev.cohort.spi.NoNodeException;
import dev.cohort.spi.NodeData;
import dev.cohort.spi.Paths;
import dev.cohort.spi.WatchEvent;
import dev.cohort.spi.Watcher;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.function.Predicate;

/**
 * One contender's place in a {@link SequentialQueue}: queue a node, list, decide, watch the
 * predecessor, repeat on its event, until granted, cancelled or failed. Every step runs on the
 * thread that completed the previous one (backend threads and the listener executor); nothing
 * blocks and no user code runs here.
 *
 * <p>Steps are numbered by {@link #round}: a step that finds a newer round (a watch event, a
 * session loss, a cancel happened since it was started) does nothing, so a late reply or event of
 * an abandoned step is harmless. At most one watch is set at a time ({@link #watch}); every way out
 * of waiting (event, cancel, failure) either consumes it or removes it.
 *
 * <p>Cleanup invariant: once {@link #finished} without a grant, the node this place created (or the
 * create still in flight, when it completes) is deleted, conditionally on being ours, and the watch
 * it set is removed.
 */
public final class Place implements ConnectionStateListener {

  private final SequentialQueue queue;
  private final Cohort client;
  private final String name;
  private final byte[] data;
  private final SequentialQueue.Decider decider;
  private final Predicate<dev.cohort.spi.Stat> passThrough;
  private final boolean tryOnce;
  /** Completes with our node when granted, with null when given up, exceptionally on failure. */
  private final CompletableFuture<OwnedNode> granted = new CompletableFuture<>();

  /** One watch this place set: where, and with which watcher object (needed to remove it). */
  private record Watch(String path, Watcher watcher) {}

  // Guarded by this.
  private boolean finished;
  private long round;
  /** Our node on its session, or null while none is queued (or it went with its session). */
  private OwnedNode node;
  /** Whether this place decides exclusively without a sort (see {@link #standing}). */
  private final boolean exclusive;
  /** The last listing, sorted, without the nodes looked past (not kept by exclusive places). */
  private List<String> lastSorted = List.of();
  /**
   * An exclusive place's last listing, all it needs of it: the predecessor it watches and how many
   * nodes were before its own. Kept instead of the listing, so a wake-up costs the same whatever
   * the length of the queue.
   */
  private String lastPredecessor;
  private int lastAhead;
  private final Set<String> passed = new HashSet<>();
  /** The watch set now, or null. */
  private Watch watch;
  /** Whether this place counts in {@link SequentialQueue#parked}. */
  private boolean parked;
  /** Whether this place waits for the connection to come back before its next step. */
  private boolean stalled;
  /** Whether this place is registered as a connection listener. */
  private boolean listening;
  /** Whether this place waited or saw others in line: its release then marks (marked queues). */
  private boolean contended;
  /** A release of this client held back for this place's first create to carry, or null. */
  private OwnedNode carry;

  Place(SequentialQueue queue, String name, byte[] data, SequentialQueue.Decider decider,
      Predicate<dev.cohort.spi.Stat> passThrough, boolean tryOnce, OwnedNode carry) {
    this.carry = carry;
    this.queue = queue;
    this.client = queue.client;
    this.name = name;
    this.data = data;
    this.decider = decider;
    this.passThrough = passThrough;
    this.tryOnce = tryOnce;
    this.exclusive = decider == SequentialQueue.EXCLUSIVE && passThrough == null;
  }

  /**
   * Completes with our node once it holds, with null once this place gave up (cancelled, or a try
   * that found the place taken), or exceptionally with a failure that is not a lost connection or
   * session (then nothing of ours is left on the service). Completes on a backend thread or the
   * listener executor: do not block in its callbacks.
   */
  public CompletableFuture<OwnedNode> granted() {
    return granted;
  }

  /** Our node while queued or holding; empty before the create returned and after the end. */
  public synchronized java.util.Optional<String> nodePath() {
    return node == null ? java.util.Optional.empty() : java.util.Optional.of(node.path());
  }

  /**
   * Gives up the place unless it was granted already: removes the watch it set and deletes its
   * node (or the node of a create still in flight, when that completes). Idempotent.
   *
   * @return true if this call ended the wait; false if the place was already granted, given up or
   *     failed (see {@link #granted()})
   */
  public boolean cancel() {
    return giveUp(null);
  }

  /**
   * Releases the node of a granted place, in the background: with the mark when this queue is
   * marked and the holder met contention (see {@link SequentialQueue}). On a queue that {@linkplain
   * SequentialQueue#joinReleases() joins releases} it may instead be held back for the client's
   * write-join window (see {@link ReleaseJoiner}), always with the mark, so that the next place
   * queued here by this client carries it.
   */
  public void release() {
    boolean mark;
    synchronized (this) {
      mark = queue.marked && contended;
    }
    ReleaseJoiner joiner = queue.joiner;
    OwnedNode held = joiner != null && joiner.holdsNext() ? heldNode() : null;
    if (held != null) {
      // Marked even when uncontended (the holder of a marked queue is first, so the mark is true):
      // the mark's stat is how a create that carries this release learns its own czxid.
      client.async().deleteIfOwnedJoinable(held, SequentialQueue.RELEASED);
      joiner.heldBack(held);
    } else {
      release(mark);
      if (joiner != null) {
        joiner.sentAtOnce();
      }
    }
  }

  /** Whether this place waited for, or found queued before it, another contender. */
  public synchronized boolean contended() {
    return contended;
  }

  /** Our node if this place was granted, else null (waiting, given up or failed). */
  public OwnedNode heldNode() {
    return granted.isDone() && !granted.isCompletedExceptionally() ? granted.join() : null;
  }

  /** Releases the node of a granted place, marked or not; nothing for a place not granted. */
  public void release(boolean mark) {
    OwnedNode held = heldNode();
    if (held == null) {
      return;
    }
    if (mark) {
      client.async().deleteIfOwned(held, SequentialQueue.RELEASED);
    } else {
      client.async().deleteIfOwned(held);
    }
  }

  void releaseIfGranted() {
    if (awaitOutcomeQuietly() != null) {
      release();
    }
  }

  /** Our node or null once the outcome is known; rethrows a failure unchecked. */
  OwnedNode awaitOutcome() {
    try {
      return granted.join();
    } catch (CompletionException e) {
      Throwable cause = SequentialQueue.unwrap(e);
      if (cause instanceof RuntimeException re) {
        throw re;
      }
      throw new IllegalStateException(cause);
    }
  }

  private OwnedNode awaitOutcomeQuietly() {
    try {
      return granted.join();
    } catch (RuntimeException e) {
      return null;
    }
  }

  // ---- the steps ---------------------------------------------------------------------------

  void begin() {
    if (!isConnected()) {
      if (tryOnce) {
        giveUp(null);
      } else {
        stall();
      }
      return;
    }
    create();
  }

  private void create() {
    long r;
    OwnedNode released;
    synchronized (this) {
      r = newRound();
      released = carry;
      carry = null; // carried by the first create only
    }
    if (r < 0) {
      return;
    }
    if (released != null && client.isLiveSession(released.sessionId())) {
      createReplacing(r, released);
    } else {
      createAndList(r);
    }
  }

  /**
   * Queues in the transaction of this client's last release here, if that release is still held
   * back ({@link dev.cohort.recipes.AsyncOps#createProtectedReplacing}); else as usual. The released
   * node held, so it was first: every node before it is gone. If ours follows it in sequence, no
   * node was created in between (the directory could not be removed and made again either: it was
   * never empty), so ours is the only one and holds without a listing. Otherwise it lists.
   */
  private void createReplacing(long r, OwnedNode released) {
    CompletableFuture<OwnedNode> creating;
    try {
      creating = client.async().createProtectedReplacing(released, name, data, CreateMode.EPHEMERAL_SEQUENTIAL);
    } catch (RuntimeException e) {
      failed(r, e);
      return;
    }
    creating.whenComplete((created, error) -> {
      if (error != null) {
        failed(r, error);
      } else {
        replaced(r, released, created);
      }
    });
  }

  /**
   * As {@link #createReplacing}, with the transaction sent on the caller's thread (a blocking
   * acquire's), so that the uncontended path hands no reply to another thread. Returns once the
   * transaction is answered; the outcome is in {@link #granted()} as ever.
   *
   * @throws InterruptedException if interrupted while waiting for the reply: this place is then
   *     given up, and a node the transaction made is deleted in the background
   */
  void beginReplacing(OwnedNode released) throws InterruptedException {
    if (!isConnected() || !client.isLiveSession(released.sessionId())) {
      begin(); // its release goes alone when its window passes
      return;
    }
    long r;
    synchronized (this) {
      r = newRound();
    }
    if (r < 0) {
      return;
    }
    OwnedNode created;
    try {
      created = client.blocking().createProtectedReplacing(released, name, data, CreateMode.EPHEMERAL_SEQUENTIAL);
    } catch (InterruptedException e) {
      giveUp(null);
      throw e;
    } catch (RuntimeException e) {
      failed(r, e);
      return;
    }
    replaced(r, released, created);
  }

  /** The outcome of a create that carried {@code released}'s release. */
  private void replaced(long r, OwnedNode released, OwnedNode created) {
    if (created == null) {
      createAndList(r); // the release was not held any more: it went alone
    } else if (adopt(r, created)) {
      if (Sequences.of(created.name()) == Sequences.of(released.name()) + 1) {
        grant(r, false);
      } else {
        list(r);
      }
    }
  }

  /**
   * Takes {@code created} as this round's node; false (and the node deleted) if the place gave up
   * or moved on while the create was in flight.
   */
  private boolean adopt(long r, OwnedNode created) {
    boolean current;
    synchronized (this) {
      current = !finished && r == round;
      if (current) {
        node = created;
      }
    }
    if (!current) {
      client.async().deleteIfOwned(created); // given up (or the session went) meanwhile: ours to delete
    }
    return current;
  }

  /** Queues a node and lists at once (the session applies them in order). */
  private void createAndList(long r) {
    CompletableFuture<OwnedNode> creating;
    CompletableFuture<Children> listing;
    try {
      creating = client.async().createProtected(queue.dir, name, data, CreateMode.EPHEMERAL_SEQUENTIAL);
      listing = client.async().getChildren(queue.dir, null);
    } catch (RuntimeException e) {
      failed(r, e);
      return;
    }
    creating.whenComplete((created, error) -> {
      if (error != null) {
        failed(r, error);
        return;
      }
      if (!adopt(r, created)) {
        return;
      }
      listing.whenComplete((children, listError) -> {
        if (listError != null && SequentialQueue.unwrap(listError) instanceof NoNodeException) {
          list(r); // the directory was created by our own create
        } else if (listError != null) {
          failed(r, listError);
        } else if (!listed(children.names(), created.name())) {
          list(r); // a retried create made the node after the listing
        } else {
          decide(r, children.names());
        }
      });
    });
  }

  private void list(long r) {
    sent(() -> client.async().getChildren(queue.dir, null)).whenComplete((children, error) -> {
      if (error != null) {
        failed(r, error);
      } else {
        decide(r, children.names());
      }
    });
  }

  /**
   * A request sent from a watch callback: a client closed meanwhile refuses it by throwing, which
   * would escape into the backend's delivery thread; it becomes a failed request instead, which
   * {@link #failed} ends as a give-up on a closed client.
   */
  private static <T> CompletableFuture<T> sent(java.util.function.Supplier<CompletableFuture<T>> request) {
    try {
      return request.get();
    } catch (RuntimeException refused) {
      return CompletableFuture.failedFuture(refused);
    }
  }

  /** Whether {@code ours} is in the listing. */
  private static boolean listed(List<String> names, String ours) {
    return names.contains(ours);
  }

  /** Decides on a listing (unsorted, as the service returns it). */
  private void decide(long r, List<String> names) {
    if (exclusive) {
      standing(r, names);
    } else {
      decideSorted(r, Sequences.sort(names));
    }
  }

  /**
   * The exclusive decision in one pass over the listing, without sorting it: the first node holds,
   * every other watches the one just before it (as {@link LockDecisions#exclusive} on the sorted
   * listing). Keeps only the predecessor and the count ahead for the wake-up.
   */
  private void standing(long r, List<String> names) {
    OwnedNode ours;
    synchronized (this) {
      if (finished || r != round) {
        return;
      }
      ours = node;
    }
    Sequences.Standing at = Sequences.standing(names, ours.name());
    if (!at.found()) {
      nodeMissing(r);
      return;
    }
    if (at.ahead() == 0) {
      grant(r, at.queued() > 1);
      return;
    }
    synchronized (this) {
      if (finished || r != round) {
        return;
      }
      lastPredecessor = at.predecessor();
      lastAhead = at.ahead();
    }
    watch(r, at.predecessor());
  }

  /** Our node is gone (its session ended, or someone deleted it): queue anew. */
  private void nodeMissing(long r) {
    synchronized (this) {
      if (finished || r != round) {
        return;
      }
      node = null;
    }
    begin();
  }

  private void decideSorted(long r, List<String> sorted) {
    OwnedNode ours;
    List<String> considered;
    synchronized (this) {
      if (finished || r != round) {
        return;
      }
      considered = passed.isEmpty() ? sorted : sorted.stream().filter(n -> !passed.contains(n)).toList();
      lastSorted = considered;
      ours = node;
    }
    LockDecisions.Decision decision = decider.decide(considered, ours.name());
    if (decision instanceof LockDecisions.Acquired) {
      grant(r, considered.size() > 1);
    } else if (decision instanceof LockDecisions.NodeMissing) {
      nodeMissing(r);
    } else if (decision instanceof LockDecisions.WatchPredecessor w) {
      watch(r, w.name());
    }
  }

  private void watch(long r, String predecessor) {
    String path = Paths.join(queue.dir, predecessor);
    Watcher watcher = tryOnce ? null : event -> fired(r, predecessor, event);
    synchronized (this) {
      if (finished || r != round) {
        return;
      }
      contended = true;
      if (watcher != null) {
        watch = new Watch(path, watcher);
      }
    }
    if (watcher != null) {
      listen(); // a session loss while we wait must wake us: the watch can never fire then
    }
    // getData, not exists: on a node already gone it sets no watch
    sent(() -> client.async().getData(path, watcher)).whenComplete((found, error) -> {
      if (error != null && SequentialQueue.unwrap(error) instanceof NoNodeException) {
        synchronized (this) {
          if (watch != null && watch.watcher() == watcher) {
            watch = null;
          }
        }
        predecessorGone(r, predecessor);
      } else if (error != null) {
        failed(r, error);
      } else if (passThrough != null && passThrough.test(found.stat())) {
        boolean current;
        synchronized (this) {
          current = !finished && r == round;
          if (current) {
            passed.add(predecessor);
            dropWatch();
          }
        }
        if (current) {
          removeWatch(path, watcher);
          list(r);
        }
      } else if (tryOnce) {
        giveUp(null); // taken, and a try does not wait
      } else {
        synchronized (this) {
          if (!finished && r == round && !parked) {
            parked = true;
            queue.parked.incrementAndGet();
          }
        }
      }
    });
  }

  /** The watched predecessor's event. */
  private void fired(long r, String predecessor, WatchEvent event) {
    long next;
    synchronized (this) {
      if (finished || r != round) {
        return;
      }
      next = ++round;
      watch = null; // a one-shot watch is gone once it fired
      unpark();
    }
    queue.wakeups.incrementAndGet();
    if (event.type() == WatchEvent.Type.NODE_DELETED) {
      predecessorGone(next, predecessor);
    } else if (event.type() == WatchEvent.Type.NODE_DATA_CHANGED && queue.marked && isOurSessionLive()
        && !queue.writableByOthers.test(NodeNames.withoutMarker(predecessor))
        && grantsAfterRelease(predecessor)) {
      // released by a holder, which was first: it and every node before it are gone
      grant(next, true);
    } else {
      list(next);
    }
  }

  /** The predecessor is gone: decide on what we know first (see the class comment of the queue). */
  private void predecessorGone(long r, String predecessor) {
    if (isOurSessionLive() && grantsWithout(predecessor)) {
      grant(r, true);
    } else {
      list(r);
    }
  }

  /** Whether the last listing without {@code gone} grants us. */
  private boolean grantsWithout(String gone) {
    List<String> known;
    synchronized (this) {
      if (exclusive) {
        return lastAhead == 1 && gone.equals(lastPredecessor); // it was the only one before ours
      }
      known = lastSorted;
    }
    return decideOn(without(known, gone)) instanceof LockDecisions.Acquired;
  }

  /** Whether the last listing grants us once {@code released} and every node before it are gone. */
  private boolean grantsAfterRelease(String released) {
    List<String> known;
    synchronized (this) {
      if (exclusive) {
        return released.equals(lastPredecessor); // the node just before ours
      }
      known = lastSorted;
    }
    return known.contains(released) && decideOn(after(known, released)) instanceof LockDecisions.Acquired;
  }

  private LockDecisions.Decision decideOn(List<String> sorted) {
    OwnedNode ours;
    synchronized (this) {
      ours = node;
    }
    return ours == null ? new LockDecisions.NodeMissing() : decider.decide(sorted, ours.name());
  }

  private void grant(long r, boolean metContention) {
    OwnedNode ours;
    synchronized (this) {
      if (finished || r != round) {
        return;
      }
      finished = true;
      round++;
      unpark();
      contended |= metContention;
      ours = node;
    }
    unlisten();
    granted.complete(ours);
  }

  /**
   * Ends the wait without a grant: removes the watch, deletes the node, completes {@link #granted}
   * with null (or with {@code failure}).
   */
  private boolean giveUp(Throwable failure) {
    Watch abandoned;
    OwnedNode ours;
    synchronized (this) {
      if (finished) {
        return false;
      }
      finished = true;
      round++;
      unpark();
      abandoned = watch;
      watch = null;
      ours = node;
      node = null;
    }
    unlisten();
    if (abandoned != null) {
      removeWatch(abandoned.path(), abandoned.watcher());
    }
    if (ours != null) {
      client.async().deleteIfOwned(ours);
    }
    // a create still in flight sees finished and deletes its node itself
    if (failure == null) {
      granted.complete(null);
    } else {
      granted.completeExceptionally(failure);
    }
    return true;
  }

  /** A step of round {@code r} failed. */
  private void failed(long r, Throwable error) {
    Throwable cause = SequentialQueue.unwrap(error);
    synchronized (this) {
      if (finished || r != round) {
        return;
      }
    }
    if (client.isClosed()) {
      giveUpClosed();
    } else if (cause instanceof ConnectionLossException && tryOnce) {
      giveUp(null);
    } else if (cause instanceof ConnectionLossException) {
      stall(); // retries ran out while the connection was down: go on once it is back
    } else if (cause instanceof CoordinationException ce && ce.isSessionGone()) {
      synchronized (this) {
        if (finished || r != round) {
          return;
        }
        node = null; // gone with the session
        dropWatch();
      }
      if (tryOnce) {
        begin();
      } else {
        stall();
      }
    } else {
      giveUp(cause);
    }
  }

  /** Ends the wait of a place whose client was closed, with the client's own misuse error. */
  private void giveUpClosed() {
    try {
      client.checkUsable();
    } catch (IllegalStateException closed) {
      giveUp(closed);
    }
  }

  /** Waits for the connection (a live session) before the next step. */
  private void stall() {
    synchronized (this) {
      if (finished) {
        return;
      }
      round++;
      stalled = true;
    }
    listen();
    if (isConnected()) {
      resume();
    }
  }

  /** The connection is back: queue anew if our node went with its session, else list again. */
  private void resume() {
    long r;
    Watch abandoned;
    boolean keep;
    synchronized (this) {
      if (finished || !stalled) {
        return;
      }
      stalled = false;
      r = ++round;
      abandoned = watch;
      watch = null;
      keep = node != null && client.isLiveSession(node.sessionId());
      if (!keep) {
        node = null;
      }
    }
    if (client.isClosed()) {
      giveUpClosed();
      return;
    }
    if (abandoned != null) {
      removeWatch(abandoned.path(), abandoned.watcher());
    }
    if (keep) {
      list(r);
    } else {
      create();
    }
  }

  @Override
  public void stateChanged(Cohort c, ConnectionState state) {
    switch (state) {
      case LOST -> {
        synchronized (this) {
          if (finished || (node != null && client.isLiveSession(node.sessionId()))) {
            return; // done, or a late LOST of an earlier session: our node is on the live one
          }
          if (parked) {
            queue.wakeups.incrementAndGet();
          }
          unpark();
          round++;
          node = null; // went with the session, and so did its watch
          watch = null;
          stalled = true;
        }
        if (client.isClosed()) {
          giveUpClosed();
        } else if (isConnected()) {
          resume();
        }
      }
      case CONNECTED, RECONNECTED -> resume();
      case SUSPENDED -> { }
    }
  }

  // ---- helpers -----------------------------------------------------------------------------

  private boolean isConnected() {
    ConnectionState s = client.connectionState();
    return s != null && s.isConnected() && !client.isClosed() && client.isLiveSession(client.sessionId());
  }

  private boolean isOurSessionLive() {
    OwnedNode ours;
    synchronized (this) {
      ours = node;
    }
    return ours != null && client.isLiveSession(ours.sessionId());
  }

  /** A new round that queues a new node, or -1 once finished. Caller holds this. */
  private long newRound() {
    if (finished) {
      return -1;
    }
    node = null;
    return ++round;
  }

  /** Caller holds this. */
  private void unpark() {
    if (parked) {
      parked = false;
      queue.parked.decrementAndGet();
    }
  }

  /** Forgets the watch set now (the caller removes it or knows it is gone). Caller holds this. */
  private void dropWatch() {
    watch = null;
  }

  private void removeWatch(String path, Watcher watcher) {
    client.async().removeWatches(path, watcher).exceptionally(e -> null); // gone with its session
  }

  private void listen() {
    synchronized (this) {
      if (listening || finished) {
        return;
      }
      listening = true;
    }
    client.addConnectionStateListener(this);
  }

  private void unlisten() {
    synchronized (this) {
      if (!listening) {
        return;
      }
      listening = false;
    }
    client.removeConnectionStateListener(this);
  }

  private static List<String> without(List<String> sorted, String gone) {
    return sorted.stream().filter(n -> !n.equals(gone)).toList();
  }

  /** The nodes after {@code released}: it and the ones before it are gone. */
  private static List<String> after(List<String> sorted, String released) {
    return sorted.subList(sorted.indexOf(released) + 1, sorted.size());
  }

  @Override
  public String toString() {
    return "Place[" + queue.dir + ", " + name + "]";
  }
}
