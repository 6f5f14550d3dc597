package dev.cohort.recipes.cache;

import dev.cohort.recipes.AsyncOps;
import dev.cohort.recipes.Cohort;
import dev.cohort.recipes.ConnectionState;
import dev.cohort.recipes.ConnectionStateListener;
import dev.cohort.spi.Capability;
import dev.cohort.spi.Children;
import dev.cohort.spi.NoNodeException;
import dev.cohort.spi.NodeData;
import dev.cohort.spi.Paths;
import dev.cohort.spi.Stat;
import dev.cohort.spi.WatchEvent;
import dev.cohort.spi.WatchMode;
import dev.cohort.spi.Watcher;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.ReentrantLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A live copy of a whole subtree: every node under a root path (down to an optional depth), with
 * its stat and, optionally, its data, and listeners told of every node added, updated and removed.
 * The counterpart of Curator's {@code TreeCache} and {@code CuratorCache}.
 *
 * <h2>Guarantees</h2>
 * <ul>
 *   <li>After the last change to the subtree the cache shows exactly the final tree, whatever
 *       disconnects, lost replies or session losses happened on the way.</li>
 *   <li>Listeners see {@link TreeCacheEvent.Type#NODE_ADDED} for every node of the initial load,
 *       then {@link TreeCacheEvent.Type#INITIALIZED} once, then changes. Events of one path come in
 *       the order of the changes; a node is never reported twice in the same state (no duplicate
 *       after a reconnect's re-read), and a node removed from the cache is reported removed, its
 *       descendants first.</li>
 *   <li>Changes between two reads of a node may be merged (as with every watch-based cache).</li>
 *   <li>{@link #close()} removes every watch the cache set.</li>
 * </ul>
 *
 * <h2>How it works</h2>
 * <b>Watches.</b> Where the backend has {@link Capability#PERSISTENT_WATCHES}, one {@link
 * WatchMode#PERSISTENT_RECURSIVE} watch on the root serves the whole subtree, added before the load
 * reads anything, and each event costs one read of the node it names. Otherwise (or with {@link
 * Builder#allowPersistentWatches(boolean) allowPersistentWatches(false)}) every read re-arms
 * one-shot watches with one watcher object: a data watch on every node and a child watch on every
 * node above the depth limit, plus an exists watch on a missing root. That is about two server
 * watches per cached node.
 *
 * <p><b>Loading without one giant read.</b> The load walks the tree breadth first, one node at a
 * time: {@code getData} (or {@code exists} when data is not kept), then {@code getChildren} of that
 * node only if its stat says it has children. At most {@link Builder#maxConcurrentReads(int)}
 * reads are outstanding; the rest wait in a queue of paths. No read covers more than one node, so
 * the largest reply is the child list of the widest node (see the ZooKeeper limits below).
 *
 * <p><b>One order for every read.</b> Every read (of the load, of a resync, or caused by a watch
 * event) takes a place in one pipeline when it is sent, and its reply is applied only when every
 * earlier read's reply has been applied. A session answers in the order it was asked, so applied
 * replies show each node in states that never go back in time: a watch event's read and the load's
 * read of the same node cannot overtake each other. As a second guard, a reply whose (czxid,
 * mzxid) is older than the cached node's is ignored, and one with the same pair changes the stat
 * silently (a child count moved) without an event. So the load and the watch's events need no
 * other reconciliation, and nothing is reported twice. (A read the client retries after a
 * connection loss may be answered after reads sent later; the zxid guard, the resync after the
 * reconnect and the watch's later events still bring the cache to the final state.)
 *
 * <p><b>Reconnects and session loss.</b> Events that happen while the client is cut off may never
 * be delivered (ZooKeeper keeps the persistent watch on the server while the session lives, but
 * does not replay what fired during the gap). So after every {@link ConnectionState#RECONNECTED}
 * the cache resyncs: it reads the whole subtree again through the same pipeline and diffs it with
 * what it holds, reporting only real changes (a node whose state did not change is silent; one
 * that vanished is removed). After a {@link ConnectionState#LOST} the new session has no watches:
 * the persistent watch is added again before the resync reads anything. While the client is
 * SUSPENDED or LOST the cache keeps serving its last contents; use the client's connection-state
 * listener to know when they may be stale.
 *
 * <p><b>Memory.</b> A node holds its name (not its path), its stat fields inline, its data (unless
 * {@link Builder#cacheData(boolean) cacheData(false)}), and a child map only if it has children.
 * The benchmark {@code dev.cohort.bench.cache.TreeCacheMemory} measures the heap per node at
 * 1,000,000 nodes; see the recipe's README section for the figure.
 *
 * <h2>Where ZooKeeper's limits bite</h2>
 * <ul>
 *   <li>A child list comes back in one reply, and a reply larger than {@code jute.maxbuffer}
 *       (default 0xfffff bytes, about 1 MiB) fails the connection: each name costs its length plus
 *       4 bytes, so a node with about 75,000 children of 10-character names cannot be listed by
 *       any client (ZooKeeper has no paged listing). Spread wide trees over a level of buckets.</li>
 *   <li>With one-shot watches the server keeps about two watches per cached node for each cache,
 *       and re-sends them all ({@code setWatches}) on every reconnect; the persistent recursive
 *       watch (ZooKeeper 3.6+) is one registration for the whole tree.</li>
 *   <li>Every znode costs memory on every server of the ensemble (its path, data and stat), and
 *       the load costs one or two reads per node: a million-node load is one to two million
 *       requests, {@code maxConcurrentReads} at a time. A recursive watch also delivers events
 *       from below {@code maxDepth}, which the cache reads nothing for but still receives.</li>
 *   <li>{@link #close()} with one-shot watches sends one {@code removeWatches} per cached path.</li>
 *   <li>etcd backends have no persistent watches in Cohort, so the cache uses one-shot watches
 *       there.</li>
 * </ul>
 *
 * <p>Thread-safe. The lookup methods never wait for the service.
 */
public final class TreeCache implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(TreeCache.class);
  private static final byte[] NO_DATA = new byte[0];

  private final Cohort client;
  private final AsyncOps ops;
  private final String root;
  private final int maxDepth;
  private final boolean cacheData;
  private final boolean persistent;
  private final int maxConcurrentReads;
  private final List<TreeCacheListener> listeners = new CopyOnWriteArrayList<>();
  private final EventQueue events;
  /** The one watcher object of every watch this cache sets. */
  private final Watcher watcher = this::watchEvent;
  private final ConnectionStateListener stateListener = (c, state) -> connectionChanged(state);
  private final CountDownLatch initializedLatch = new CountDownLatch(1);

  private final ReentrantLock lock = new ReentrantLock();
  /** Guarded by lock. */
  private Lifecycle lifecycle = Lifecycle.LATENT;
  /** Written under lock by the applying thread; read by anyone. */
  private volatile TreeNode rootNode;
  /** Written under lock. */
  private volatile int size;
  /** Guarded by lock: reads sent and not yet applied, in the order they were sent. */
  private final ArrayDeque<Read> pipeline = new ArrayDeque<>();
  /** Guarded by lock: whether a thread is applying replies. */
  private boolean draining;
  /** Guarded by lock: reads of the current load not sent yet. */
  private final ArrayDeque<Read> queued = new ArrayDeque<>();
  /** Guarded by lock: reads sent from the queue and not yet applied. */
  private int queuedReadsInFlight;
  /** Guarded by lock: the current load (initial or resync); older loads' queued reads are dropped. */
  private int loadGeneration;
  /** Guarded by lock: reads of the current load queued or in flight. */
  private int loadPending;
  /** Guarded by lock: a read of the current load failed, so it cannot count as complete. */
  private boolean loadFailed;
  /** Guarded by lock. */
  private boolean initialized;
  /** Guarded by lock: the session holding our persistent watch, or 0. */
  private long watchedSession;

  private enum Lifecycle { LATENT, STARTED, CLOSED }

  private enum Kind { DATA, LIST, EXISTS }

  /** One read: sent in pipeline order, applied in the same order. */
  private static final class Read {
    final Kind kind;
    final String path;
    final int depth;
    /** Whether the reply should go on to the node's children (a load) rather than just this node. */
    final boolean follow;
    /** The load it belongs to, or 0 for a read caused by a watch event. */
    final int load;
    /** Whether it waited in the queue (and counts against maxConcurrentReads once sent). */
    boolean fromQueue;
    boolean done;
    Object reply;
    Throwable error;

    Read(Kind kind, String path, int depth, boolean follow, int load) {
      this.kind = kind;
      this.path = path;
      this.depth = depth;
      this.follow = follow;
      this.load = load;
    }
  }

  private TreeCache(Builder b) {
    this.client = b.client;
    this.ops = b.client.async();
    this.root = b.path;
    this.maxDepth = b.maxDepth;
    this.cacheData = b.cacheData;
    this.persistent = b.allowPersistentWatches && b.client.backend().has(Capability.PERSISTENT_WATCHES);
    this.maxConcurrentReads = b.maxConcurrentReads;
    this.events = new EventQueue(b.listenerExecutor != null ? b.listenerExecutor : b.client.listenerExecutor());
    listeners.addAll(b.listeners);
  }

  /**
   * A builder for a cache of the subtree at {@code path} (namespace-relative).
   *
   * @throws dev.cohort.spi.InvalidPathException if {@code path} is not a valid path
   */
  public static Builder builder(Cohort client, String path) {
    return new Builder(client, path);
  }

  /**
   * Starts loading and following the subtree; returns at once. Listeners hear of every node, then
   * of {@link TreeCacheEvent.Type#INITIALIZED}; {@link #awaitInitialized} waits for that point. If
   * the first load fails (the service unreachable within the client's retry policy) the cache loads
   * again after the next reconnect.
   *
   * @throws IllegalStateException if the cache was started or closed before, or the client is not
   *     started or is closed
   */
  public void start() {
    lock.lock();
    try {
      if (lifecycle != Lifecycle.LATENT) {
        throw new IllegalStateException("the tree cache of " + root + " is " + (lifecycle == Lifecycle.CLOSED
            ? "closed: build a new one" : "already started"));
      }
      client.checkUsable();
      lifecycle = Lifecycle.STARTED;
    } finally {
      lock.unlock();
    }
    client.addConnectionStateListener(stateListener);
    resync();
  }

  /**
   * Waits until the initial load is complete, at most {@code timeout}.
   *
   * @return whether it is complete
   */
  public boolean awaitInitialized(Duration timeout) throws InterruptedException {
    return initializedLatch.await(timeout.toNanos(), TimeUnit.NANOSECONDS);
  }

  /** Whether the initial load is complete. */
  public boolean isInitialized() {
    return initializedLatch.getCount() == 0;
  }

  /** Whether every read sent has been applied and none waits (for tests). */
  boolean isQuiet() {
    lock.lock();
    try {
      return pipeline.isEmpty() && queued.isEmpty() && loadPending == 0;
    } finally {
      lock.unlock();
    }
  }

  /** Adds a listener for changes from now on. */
  public void addListener(TreeCacheListener listener) {
    listeners.add(Objects.requireNonNull(listener, "listener"));
  }

  /** Removes a listener; a no-op if absent. */
  public void removeListener(TreeCacheListener listener) {
    listeners.remove(listener);
  }

  /** The root path this cache follows. */
  public String rootPath() {
    return root;
  }

  /** Whether this cache uses one persistent recursive watch (else one-shot watches). */
  public boolean usesPersistentWatch() {
    return persistent;
  }

  /** The number of nodes cached now. */
  public int size() {
    return size;
  }

  /**
   * The cached state of {@code path}, or empty if it is not cached (missing, outside the subtree
   * or below the depth limit). Without {@link Builder#cacheData(boolean) data} the data is empty.
   *
   * @throws dev.cohort.spi.InvalidPathException if {@code path} is not a valid path
   */
  public Optional<ChildData> current(String path) {
    Paths.validate(path);
    TreeNode node = find(path);
    return node == null ? Optional.empty() : Optional.of(node.toChildData(path, NO_DATA));
  }

  /**
   * The cached children of {@code path}, by name, sorted; empty if it has none or is not cached.
   *
   * @throws dev.cohort.spi.InvalidPathException if {@code path} is not a valid path
   */
  public Map<String, ChildData> children(String path) {
    Paths.validate(path);
    TreeNode node = find(path);
    var map = node == null ? null : node.children;
    if (map == null) {
      return Map.of();
    }
    Map<String, ChildData> result = new TreeMap<>();
    for (TreeNode child : map.values()) {
      result.put(child.name, child.toChildData(Paths.join(path, child.name), NO_DATA));
    }
    return Collections.unmodifiableMap(result);
  }

  /**
   * Stops following changes and removes every watch the cache set. Idempotent; does not block.
   * Listeners hear nothing after the events already queued for them.
   */
  @Override
  public void close() {
    List<String> watchedPaths = new ArrayList<>();
    lock.lock();
    try {
      if (lifecycle == Lifecycle.CLOSED) {
        return;
      }
      boolean started = lifecycle == Lifecycle.STARTED;
      lifecycle = Lifecycle.CLOSED;
      queued.clear();
      if (!started) {
        return;
      }
      watchedPaths.add(root);
      if (!persistent && rootNode != null) {
        collectPaths(rootNode, root, watchedPaths);
      }
    } finally {
      lock.unlock();
    }
    client.removeConnectionStateListener(stateListener);
    if (!client.isLiveSession(client.sessionId())) {
      return; // the watches went with the session
    }
    for (String path : new HashSet<>(watchedPaths)) {
      ops.removeWatches(path, watcher).exceptionally(e -> null);
    }
  }

  private static void collectPaths(TreeNode node, String path, List<String> into) {
    into.add(path);
    var map = node.children;
    if (map != null) {
      for (TreeNode child : map.values()) {
        collectPaths(child, Paths.join(path, child.name), into);
      }
    }
  }

  // ---- loads and resyncs

  private void connectionChanged(ConnectionState state) {
    if (state == ConnectionState.RECONNECTED) {
      resync();
    }
  }

  /** Starts a load of the whole subtree, replacing any load under way. */
  private void resync() {
    int generation;
    boolean addWatch;
    long session = client.sessionId();
    lock.lock();
    try {
      if (lifecycle != Lifecycle.STARTED) {
        return;
      }
      generation = ++loadGeneration;
      queued.clear();
      loadPending = 0;
      loadFailed = false;
      addWatch = persistent && watchedSession != session;
    } finally {
      lock.unlock();
    }
    if (!addWatch) {
      startLoad(generation);
      return;
    }
    CompletableFuture<Void> added;
    try {
      added = ops.addWatch(root, WatchMode.PERSISTENT_RECURSIVE, watcher);
    } catch (IllegalStateException closedClient) {
      return;
    }
    // The watch is in place before the load reads anything, so no change falls between them.
    added.whenComplete((ok, error) -> {
      if (error != null) {
        log.debug("tree cache {}: adding the watch failed, retrying after the next reconnect: {}", root,
            unwrap(error).toString());
        return;
      }
      lock.lock();
      try {
        watchedSession = session;
      } finally {
        lock.unlock();
      }
      startLoad(generation);
    });
  }

  private void startLoad(int generation) {
    lock.lock();
    try {
      if (generation != loadGeneration || lifecycle != Lifecycle.STARTED) {
        return;
      }
      queued.add(new Read(firstKind(), root, 0, true, generation));
      loadPending = 1;
    } finally {
      lock.unlock();
    }
    drain();
  }

  /** The read of one node: exists when only stats are kept on a persistent watch, else getData. */
  private Kind firstKind() {
    // With one-shot watches getData even without data: exists would leave a watch on a missing node.
    return cacheData || !persistent ? Kind.DATA : Kind.EXISTS;
  }

  // ---- watch events

  private void watchEvent(WatchEvent event) {
    String path = event.path();
    int depth = depthOf(path);
    if (depth < 0 || depth > maxDepth) {
      return;
    }
    Read read = switch (event.type()) {
      case NODE_CREATED -> new Read(firstKind(), path, depth, depth == 0, 0);
      case NODE_DATA_CHANGED, NODE_DELETED -> new Read(firstKind(), path, depth, false, 0);
      case NODE_CHILDREN_CHANGED -> depth < maxDepth ? new Read(Kind.LIST, path, depth, false, 0) : null;
    };
    if (read == null) {
      return;
    }
    lock.lock();
    try {
      if (lifecycle != Lifecycle.STARTED) {
        return;
      }
      // Sent at once, on the event thread, so that its place in the pipeline follows the event.
      send(read);
    } finally {
      lock.unlock();
    }
    drain();
  }

  /** The depth of {@code path} below the root, or -1 if it is outside the subtree. */
  private int depthOf(String path) {
    if (path.equals(root)) {
      return 0;
    }
    String prefix = root.equals("/") ? "/" : root + "/";
    if (!path.startsWith(prefix)) {
      return -1;
    }
    int depth = 1;
    for (int i = prefix.length(); i < path.length(); i++) {
      if (path.charAt(i) == '/') {
        depth++;
      }
    }
    return depth;
  }

  // ---- the pipeline

  /** Sends {@code read} and gives it the next place in the pipeline. Call under lock. */
  private void send(Read read) {
    pipeline.add(read);
    Watcher w = persistent ? null : watcher;
    CompletableFuture<?> reply;
    try {
      reply = switch (read.kind) {
        case DATA -> ops.getData(read.path, w);
        case EXISTS -> ops.exists(read.path, w);
        case LIST -> ops.getChildren(read.path, w);
      };
    } catch (IllegalStateException closedClient) {
      reply = CompletableFuture.failedFuture(closedClient);
    }
    reply.whenComplete((value, error) -> {
      lock.lock();
      try {
        read.done = true;
        read.reply = value;
        read.error = error == null ? null : unwrap(error);
      } finally {
        lock.unlock();
      }
      drain();
    });
  }

  /**
   * Applies every reply at the head of the pipeline, sends queued load reads up to the limit, and
   * hands the events to the listener executor. One thread drains at a time; a reply that completes
   * on the draining thread (a backend that answers at once) is applied by the loop, not by recursion.
   */
  private void drain() {
    lock.lock();
    try {
      if (draining) {
        return;
      }
      draining = true;
      try {
        boolean progress = true;
        while (progress) {
          progress = false;
          while (!pipeline.isEmpty() && pipeline.peek().done) {
            Read read = pipeline.poll();
            if (read.fromQueue) {
              queuedReadsInFlight--;
            }
            if (lifecycle == Lifecycle.STARTED) {
              apply(read);
            }
            progress = true;
          }
          while (queuedReadsInFlight < maxConcurrentReads && !queued.isEmpty() && lifecycle == Lifecycle.STARTED) {
            Read next = queued.poll();
            next.fromQueue = true;
            queuedReadsInFlight++;
            send(next);
            progress = true;
          }
        }
      } finally {
        draining = false;
      }
    } finally {
      lock.unlock();
    }
    events.flush();
  }

  /** Applies one reply to the tree. Call under lock, in pipeline order. */
  private void apply(Read read) {
    Throwable error = read.error;
    boolean missing = error instanceof NoNodeException
        || (error == null && read.kind == Kind.EXISTS && read.reply == null);
    if (error != null && !missing) {
      // The next reconnect resyncs; until then this load cannot count as complete.
      log.debug("tree cache {}: reading {} failed: {}", root, read.path, error.toString());
      if (read.load == loadGeneration) {
        loadFailed = true;
      }
    } else if (missing) {
      remove(read.path);
      if (read.depth == 0 && !persistent && read.kind == Kind.DATA) {
        // getData sets no watch on a missing node; exists does, and reports the root's creation.
        queue(new Read(Kind.EXISTS, root, 0, true, read.load));
      }
    } else if (read.kind == Kind.LIST) {
      applyChildren(read, (Children) read.reply);
    } else if (read.kind == Kind.EXISTS && !persistent) {
      queue(new Read(Kind.DATA, root, 0, true, read.load)); // the root appeared before the watch was set
    } else {
      Stat stat = read.kind == Kind.DATA ? ((NodeData) read.reply).stat() : (Stat) read.reply;
      byte[] data = cacheData ? ((NodeData) read.reply).data() : null;
      TreeNode node = upsert(read.path, read.depth, stat, data);
      if (node != null && read.follow && read.depth < maxDepth) {
        if (stat.numChildren() > 0 || !persistent) {
          queue(new Read(Kind.LIST, read.path, read.depth, true, read.load));
        } else {
          removeChildren(node, read.path);
        }
      }
    }
    loadReadDone(read);
  }

  private void applyChildren(Read read, Children listing) {
    TreeNode node = find(read.path);
    if (node == null) {
      return; // not cached (yet): the read that adds it lists it
    }
    Set<String> names = new HashSet<>(listing.names());
    var map = node.children;
    if (map != null) {
      for (TreeNode child : List.copyOf(map.values())) {
        if (!names.contains(child.name)) {
          removeSubtree(child, Paths.join(read.path, child.name));
        }
      }
    }
    for (String name : listing.names()) {
      // A load re-reads every child (a resync must see their data); a child watch's read only the new.
      if (read.follow || node.child(name) == null) {
        queue(new Read(firstKind(), Paths.join(read.path, name), read.depth + 1, true, read.follow ? read.load : 0));
      }
    }
  }

  /** Queues a follow-up read; one of an old load is dropped, since the current load covers it. */
  private void queue(Read next) {
    if (next.load != 0 && next.load != loadGeneration) {
      return;
    }
    queued.add(next);
    if (next.load != 0) {
      loadPending++;
    }
  }

  private void loadReadDone(Read read) {
    if (read.load == 0 || read.load != loadGeneration) {
      return;
    }
    if (--loadPending == 0 && !loadFailed && !initialized) {
      initialized = true;
      initializedLatch.countDown();
      fire(TreeCacheEvent.Type.INITIALIZED, null);
    }
  }

  /** Adds or updates a node; null if its parent is not cached. Call under lock. */
  private TreeNode upsert(String path, int depth, Stat stat, byte[] data) {
    TreeNode parent = null;
    TreeNode existing;
    String name = Paths.name(path);
    if (depth == 0) {
      existing = rootNode;
    } else {
      parent = find(Paths.parent(path));
      if (parent == null) {
        return null; // the parent's read comes later (or it is gone), and brings this node
      }
      existing = parent.child(name);
    }
    if (existing != null) {
      long czxid = existing.czxid();
      long mzxid = existing.mzxid();
      if (stat.czxid() < czxid || (stat.czxid() == czxid && stat.mzxid() < mzxid)) {
        return existing; // older than what is cached
      }
      if (stat.czxid() == czxid) {
        existing.set(stat, data);
        if (stat.mzxid() != mzxid) {
          fire(TreeCacheEvent.Type.NODE_UPDATED, existing, path);
        }
        return existing;
      }
      removeSubtree(existing, path); // deleted and created again
    }
    TreeNode node = new TreeNode(parent, name, stat, data);
    if (parent == null) {
      rootNode = node;
    } else {
      parent.attach(node);
    }
    size++;
    fire(TreeCacheEvent.Type.NODE_ADDED, node, path);
    return node;
  }

  private void remove(String path) {
    TreeNode node = find(path);
    if (node != null) {
      removeSubtree(node, path);
    }
  }

  private void removeChildren(TreeNode node, String path) {
    var map = node.children;
    if (map != null) {
      for (TreeNode child : List.copyOf(map.values())) {
        removeSubtree(child, Paths.join(path, child.name));
      }
    }
  }

  /** Removes a node and its descendants, reporting the descendants first. Call under lock. */
  private void removeSubtree(TreeNode node, String path) {
    removeChildren(node, path);
    if (node.parent == null) {
      rootNode = null;
    } else {
      node.parent.detach(node.name);
    }
    size--;
    fire(TreeCacheEvent.Type.NODE_REMOVED, node, path);
  }

  private TreeNode find(String path) {
    int depth = depthOf(path);
    TreeNode node = rootNode;
    if (depth < 0 || node == null) {
      return null;
    }
    int from = root.equals("/") ? 1 : root.length() + 1;
    while (node != null && from <= path.length() && depth > 0) {
      int to = path.indexOf('/', from);
      if (to < 0) {
        to = path.length();
      }
      node = node.child(path.substring(from, to));
      from = to + 1;
      depth--;
    }
    return node;
  }

  // ---- events

  private void fire(TreeCacheEvent.Type type, TreeNode node, String path) {
    if (!listeners.isEmpty()) {
      fire(type, node.toChildData(path, NO_DATA));
    }
  }

  private void fire(TreeCacheEvent.Type type, ChildData data) {
    TreeCacheEvent event = new TreeCacheEvent(type, data);
    events.add(() -> {
      for (TreeCacheListener listener : listeners) {
        listener.treeChanged(event);
      }
    });
  }

  static Throwable unwrap(Throwable t) {
    while (t instanceof CompletionException && t.getCause() != null) {
      t = t.getCause();
    }
    return t;
  }

  /** Hands tasks to an executor one at a time, in order, never on the thread that holds the lock. */
  private static final class EventQueue {
    private final ConcurrentLinkedQueue<Runnable> tasks = new ConcurrentLinkedQueue<>();
    private final AtomicBoolean scheduled = new AtomicBoolean();
    private final Executor executor;

    EventQueue(Executor executor) {
      this.executor = executor;
    }

    void add(Runnable task) {
      tasks.add(task);
    }

    void flush() {
      if (!tasks.isEmpty() && scheduled.compareAndSet(false, true)) {
        executor.execute(this::run);
      }
    }

    private void run() {
      Runnable task;
      while ((task = tasks.poll()) != null) {
        try {
          task.run();
        } catch (RuntimeException e) {
          log.warn("a tree cache listener failed", e);
        }
      }
      scheduled.set(false);
      flush();
    }
  }

  /** Configures a {@link TreeCache}; every setting but the client and path has a default. */
  public static final class Builder {
    private final Cohort client;
    private final String path;
    private int maxDepth = Integer.MAX_VALUE;
    private boolean cacheData = true;
    private boolean allowPersistentWatches = true;
    private int maxConcurrentReads = 64;
    private Executor listenerExecutor;
    private final List<TreeCacheListener> listeners = new ArrayList<>();

    private Builder(Cohort client, String path) {
      this.client = Objects.requireNonNull(client, "client");
      Paths.validate(path);
      this.path = path;
    }

    /** Caches nodes down to {@code depth} levels below the root (0: the root only). Default: no limit. */
    public Builder maxDepth(int depth) {
      if (depth < 0) {
        throw new IllegalArgumentException("maxDepth must be >= 0: " + depth);
      }
      this.maxDepth = depth;
      return this;
    }

    /**
     * Whether to keep each node's data (default true). Without it only stats are kept, read with
     * {@code exists}, and {@link ChildData#data()} is empty: the memory of the data is saved.
     */
    public Builder cacheData(boolean cacheData) {
      this.cacheData = cacheData;
      return this;
    }

    /** With false, one-shot watches are used even where the backend has persistent ones. */
    public Builder allowPersistentWatches(boolean allow) {
      this.allowPersistentWatches = allow;
      return this;
    }

    /** The most load reads outstanding at once (default 64). */
    public Builder maxConcurrentReads(int reads) {
      if (reads < 1) {
        throw new IllegalArgumentException("maxConcurrentReads must be >= 1: " + reads);
      }
      this.maxConcurrentReads = reads;
      return this;
    }

    /**
     * The executor listeners run on (default: the client's listener executor). Events are handed
     * to it one task at a time, so any executor keeps their order.
     */
    public Builder listenerExecutor(Executor executor) {
      this.listenerExecutor = Objects.requireNonNull(executor, "executor");
      return this;
    }

    /** Adds a listener that hears from the very first event. */
    public Builder listener(TreeCacheListener listener) {
      listeners.add(Objects.requireNonNull(listener, "listener"));
      return this;
    }

    /** A cache, not started. */
    public TreeCache build() {
      return new TreeCache(this);
    }
  }
}
