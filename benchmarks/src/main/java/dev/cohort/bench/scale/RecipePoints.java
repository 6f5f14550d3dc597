package dev.cohort.bench.scale;

import dev.cohort.recipes.Cohort;
import dev.cohort.recipes.cache.ChildrenCache;
import dev.cohort.recipes.cache.ChildrenCacheListener;
import dev.cohort.recipes.cache.TreeCache;
import dev.cohort.recipes.cache.TreeCacheEvent;
import dev.cohort.recipes.group.GroupListener;
import dev.cohort.recipes.group.GroupMember;
import dev.cohort.recipes.group.Member;
import dev.cohort.recipes.leader.LeaderLatch;
import dev.cohort.recipes.leader.LeaderLatchListener;
import dev.cohort.recipes.leader.LeadershipTerm;
import dev.cohort.recipes.locks.DistributedLock;
import dev.cohort.recipes.partition.Partition;
import dev.cohort.recipes.partition.PartitionClaimer;
import dev.cohort.recipes.partition.PartitionListener;
import dev.cohort.recipes.queue.Job;
import dev.cohort.recipes.queue.QueueFullException;
import dev.cohort.recipes.queue.WorkQueue;
import dev.cohort.spi.CreateMode;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.IntFunction;

/**
 * The setups of today's scenarios, on the recipes' public APIs only. Each returns the operation the
 * harness measures; background chains stop when their {@link Point} is closed.
 */
final class RecipePoints {
  /** The longest a batch waits for an operation before the point is reported as stalled. */
  static final Duration STALL = Duration.ofSeconds(30);
  /** Requests a pipelined fill keeps in flight. */
  private static final int WINDOW = 512;

  private RecipePoints() {}

  // ---- work queue --------------------------------------------------------------------------

  /** {@code depth} jobs pending; one op is a put, a take and a complete, so the depth stays. */
  static Point queue(Env env, int depth) throws Exception {
    Cohort client = env.client();
    WorkQueue queue = WorkQueue.builder(client, "/scale/queue").build();
    byte[] payload = new byte[16];
    // At the queue's maximum a put is refused; the room a put checks is an estimate that can run
    // one bucket high, so the largest point stays two buckets below it (1M is filled to 998,000).
    int filled = Math.min(depth, WorkQueue.MAX_PENDING_JOBS - 2 * WorkQueue.BUCKET_SIZE);
    try {
      pipelined(filled, i -> queue.putAsync(payload));
    } catch (ExecutionException e) {
      if (e.getCause() instanceof QueueFullException full) {
        throw new Refused("refused: " + full.getMessage(), full);
      }
      throw e;
    }
    return () -> {
      queue.put(payload);
      Job job = queue.take(STALL).orElseThrow(() -> new IllegalStateException("no job within " + STALL));
      if (!queue.complete(job)) {
        throw new IllegalStateException("lost the claim on " + job);
      }
      return 1;
    };
  }

  // ---- lock --------------------------------------------------------------------------------

  /**
   * {@code sessions} sessions, one DistributedLock each on one path, every one queued: the holder
   * releases at once and queues again at the back, so each op is one handoff with n - 1 waiting.
   */
  static Point lockHandoffs(Env env, int sessions) throws Exception {
    Progress handoffs = new Progress();
    AtomicBoolean running = new AtomicBoolean(true);
    AtomicReference<Throwable> failure = new AtomicReference<>();
    List<DistributedLock> locks = new ArrayList<>();
    for (Cohort c : env.clients(sessions)) {
      locks.add(new DistributedLock(c, "/scale/lock"));
    }
    for (DistributedLock lock : locks) {
      contend(lock, env, handoffs, running, failure);
    }
    return chain(handoffs, running, failure);
  }

  private static void contend(DistributedLock lock, Env env, Progress handoffs, AtomicBoolean running,
      AtomicReference<Throwable> failure) {
    lock.acquireAsync().whenCompleteAsync((hold, error) -> {
      if (error != null) {
        if (running.get()) {
          failure.compareAndSet(null, error);
        }
        return;
      }
      handoffs.increment();
      hold.release();
      if (running.get()) {
        contend(lock, env, handoffs, running, failure);
      }
    }, env.pool());
  }

  // ---- leader latch ------------------------------------------------------------------------

  /**
   * {@code participants} LeaderLatches on one path, one session each: the leader closes its latch
   * as soon as it learns it leads and joins again with a new latch, so each op is one handover.
   */
  static Point leaderHandover(Env env, int participants) throws Exception {
    Progress handovers = new Progress();
    AtomicBoolean running = new AtomicBoolean(true);
    AtomicReference<Throwable> failure = new AtomicReference<>();
    for (Cohort c : env.clients(participants)) {
      join(c, env, handovers, running, failure);
    }
    return chain(handovers, running, failure);
  }

  private static void join(Cohort client, Env env, Progress handovers, AtomicBoolean running,
      AtomicReference<Throwable> failure) {
    LeaderLatch latch = LeaderLatch.builder(client, "/scale/leader").build();
    latch.addListener(new LeaderLatchListener() {
      @Override
      public void isLeader(LeadershipTerm term) {
        env.pool().execute(() -> {
          handovers.increment();
          latch.close();
          if (running.get()) {
            try {
              join(client, env, handovers, running, failure);
            } catch (RuntimeException e) {
              failure.compareAndSet(null, e);
            }
          }
        });
      }

      @Override
      public void notLeader(LeadershipTerm term) {}
    });
    latch.start();
  }

  /** A point over a chain that runs on its own: a batch waits for a few more of its ops. */
  private static Point chain(Progress ops, AtomicBoolean running, AtomicReference<Throwable> failure) {
    return new Point() {
      @Override
      public long runBatch() throws Exception {
        Throwable t = failure.get();
        if (t != null) {
          throw new IllegalStateException("the chain failed: " + t, t);
        }
        return ops.awaitMore(1, STALL);
      }

      @Override
      public void close() {
        running.set(false);
      }
    };
  }

  // ---- group -------------------------------------------------------------------------------

  /**
   * {@code members} GroupMembers, one session each; one op is one more member joining and leaving,
   * timed until every one of the n members has been told of both.
   */
  static Point group(Env env, int members) throws Exception {
    Progress joinsSeen = new Progress();
    Progress leavesSeen = new Progress();
    GroupListener watcher = new GroupListener() {
      @Override
      public void joined(Member member) {
        if (member.id().equals("probe")) {
          joinsSeen.increment();
        }
      }

      @Override
      public void left(Member member) {
        if (member.id().equals("probe")) {
          leavesSeen.increment();
        }
      }
    };
    List<Cohort> clients = env.clients(members);
    List<GroupMember> joined = new ArrayList<>(members);
    for (int i = 0; i < members; i++) {
      joined.add(GroupMember.join(clients.get(i), "/scale/group", "m" + i, new byte[8], watcher));
    }
    Cohort probeClient = env.client();
    return () -> {
      long joins = joinsSeen.get();
      long leaves = leavesSeen.get();
      GroupMember probe = GroupMember.join(probeClient, "/scale/group", "probe", new byte[8], null);
      joinsSeen.awaitAtLeast(joins + members, STALL);
      probe.close();
      leavesSeen.awaitAtLeast(leaves + members, STALL);
      return 1;
    };
  }

  // ---- partitions --------------------------------------------------------------------------

  /**
   * {@code partitions} partitions over m = n/100 members (at least 2, at most 100), balanced. Each
   * batch adds a member and waits for balance, then closes it and waits again: two rebalances.
   */
  static Point partitions(Env env, int partitions) throws Exception {
    int members = Math.max(2, Math.min(100, partitions / 100));
    Cohort admin = env.client();
    String root = "/scale/partitions";
    for (int i = 0; i < partitions; i++) {
      PartitionClaimer.definePartition(admin, root, String.format("p%07d", i), new byte[0]);
    }
    Balance balance = new Balance(partitions);
    for (int i = 0; i < members; i++) {
      balance.start(env.client(), root, "m" + i);
    }
    balance.awaitBalanced();
    Cohort extraClient = env.client();
    return new Point() {
      @Override
      public long runBatch() throws Exception {
        PartitionClaimer extra = balance.start(extraClient, root, "extra");
        balance.awaitBalanced();
        balance.live.remove("extra");
        extra.close(STALL);
        balance.awaitBalanced();
        return 2;
      }

      @Override
      public void close() {
        balance.live.values().forEach(PartitionClaimer::close);
      }
    };
  }

  /** The live claimers and a wait for the moment each owns ⌊P/N⌋ or ⌈P/N⌉ and all P are owned. */
  private static final class Balance {
    final int partitions;
    final Map<String, PartitionClaimer> live = new ConcurrentHashMap<>();
    final Progress changes = new Progress();

    Balance(int partitions) {
      this.partitions = partitions;
    }

    PartitionClaimer start(Cohort client, String root, String id) throws InterruptedException {
      PartitionListener listener = new PartitionListener() {
        @Override
        public void assigned(Partition partition) {
          changes.increment();
        }

        @Override
        public void revoked(String partitionId) {
          changes.increment();
        }
      };
      PartitionClaimer claimer = PartitionClaimer.builder(client, root, id, listener).start();
      live.put(id, claimer);
      return claimer;
    }

    boolean balanced() {
      int n = live.size();
      int total = 0;
      for (PartitionClaimer c : live.values()) {
        int owned = c.owned().size();
        if (owned != partitions / n && owned != (partitions + n - 1) / n) {
          return false;
        }
        total += owned;
      }
      return total == partitions;
    }

    /** Waits for balance, re-checking after each assignment or revocation. */
    void awaitBalanced() throws InterruptedException {
      long deadline = System.nanoTime() + STALL.toNanos();
      while (true) {
        long seen = changes.get();
        if (balanced()) {
          return;
        }
        long left = deadline - System.nanoTime();
        if (left <= 0) {
          throw new IllegalStateException("partitions not balanced within " + STALL.toSeconds() + " s");
        }
        // Wake on the next change; a short bound covers a change that came between check and wait.
        try {
          changes.awaitAtLeast(seen + 1, Duration.ofMillis(Math.min(50, Math.max(1, left / 1_000_000))));
        } catch (IllegalStateException noChangeYet) {
          // re-check
        }
      }
    }
  }

  // ---- children cache ----------------------------------------------------------------------

  /** {@code children} children under one path and a ChildrenCache of them; one op is one child's setData seen by the cache. */
  static Point childrenCache(Env env, int children) throws Exception {
    Cohort writer = env.client();
    String path = "/scale/children";
    writer.blocking().createWithParents(path, new byte[0], CreateMode.PERSISTENT);
    pipelined(children, i -> writer.async().create(path + "/" + childName(i), new byte[8], CreateMode.PERSISTENT));
    Progress updates = new Progress();
    ChildrenCacheListener listener = (type, child) -> {
      if (type == ChildrenCacheListener.Type.UPDATED) {
        updates.increment();
      }
    };
    ChildrenCache cache = ChildrenCache.start(env.client(), path, listener);
    if (cache.children().size() != children) {
      throw new IllegalStateException("the cache loaded " + cache.children().size() + " of " + children + " children");
    }
    int[] next = {0};
    return new Point() {
      @Override
      public long runBatch() throws Exception {
        long seen = updates.get();
        String child = path + "/" + childName(next[0]++ % children);
        writer.blocking().setData(child, new byte[8], -1);
        updates.awaitAtLeast(seen + 1, STALL);
        return 1;
      }

      @Override
      public void close() {
        cache.close();
      }
    };
  }

  /**
   * A {@link TreeCache} over {@code nodes} leaves in directories of at most 1,000; a point is one
   * leaf's setData, until the cache reported it.
   */
  static Point treeCache(Env env, int nodes) throws Exception {
    Cohort writer = env.client();
    String root = "/scale/tree";
    int perDirectory = 1_000;
    int directories = (nodes + perDirectory - 1) / perDirectory;
    writer.blocking().createWithParents(root, new byte[0], CreateMode.PERSISTENT);
    pipelined(directories, d -> writer.async().create(root + "/" + childName(d), new byte[0], CreateMode.PERSISTENT));
    pipelined(nodes, i -> writer.async().create(leaf(root, i, perDirectory), new byte[8], CreateMode.PERSISTENT));
    Progress updates = new Progress();
    TreeCache cache = TreeCache.builder(env.client(), root)
        .listener(event -> {
          if (event.type() == TreeCacheEvent.Type.NODE_UPDATED) {
            updates.increment();
          }
        })
        .build();
    cache.start();
    if (!cache.awaitInitialized(Duration.ofMinutes(10)) || cache.size() < nodes) {
      cache.close();
      throw new IllegalStateException("the cache loaded " + cache.size() + " nodes of " + nodes);
    }
    int[] next = {0};
    return new Point() {
      @Override
      public long runBatch() throws Exception {
        long seen = updates.get();
        writer.blocking().setData(leaf(root, next[0]++ % nodes, perDirectory), new byte[8], -1);
        updates.awaitAtLeast(seen + 1, STALL);
        return 1;
      }

      @Override
      public void close() {
        cache.close();
      }
    };
  }

  private static String leaf(String root, int i, int perDirectory) {
    return root + "/" + childName(i / perDirectory) + "/" + childName(i);
  }

  private static String childName(int i) {
    return String.format("c%07d", i);
  }

  // ---- helpers -----------------------------------------------------------------------------

  /** Issues {@code count} async calls with at most {@link #WINDOW} in flight; throws the first failure. */
  static void pipelined(int count, IntFunction<CompletableFuture<?>> call) throws Exception {
    Semaphore window = new Semaphore(WINDOW);
    AtomicReference<Throwable> failure = new AtomicReference<>();
    for (int i = 0; i < count && failure.get() == null; i++) {
      window.acquire();
      call.apply(i).whenComplete((r, e) -> {
        if (e != null) {
          failure.compareAndSet(null, e instanceof CompletionException && e.getCause() != null ? e.getCause() : e);
        }
        window.release();
      });
    }
    window.acquire(WINDOW);
    Throwable t = failure.get();
    if (t != null) {
      throw new ExecutionException(t);
    }
  }
}
