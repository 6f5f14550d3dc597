package dev.cohort.examples.readme;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cohort.recipes.Cohort;
import dev.cohort.recipes.FencedResource;
import dev.cohort.recipes.FencingToken;
import dev.cohort.recipes.barrier.Barrier;
import dev.cohort.recipes.barrier.CountDownLatch;
import dev.cohort.recipes.barrier.DoubleBarrier;
import dev.cohort.recipes.cache.ChildData;
import dev.cohort.recipes.cache.ChildrenCache;
import dev.cohort.recipes.cache.ChildrenCacheListener;
import dev.cohort.recipes.cache.NodeCache;
import dev.cohort.recipes.cache.TreeCache;
import dev.cohort.recipes.counter.AtomicResult;
import dev.cohort.recipes.counter.DistributedAtomicLong;
import dev.cohort.recipes.counter.SharedCounter;
import dev.cohort.recipes.counter.VersionedValue;
import dev.cohort.recipes.discovery.DownInstancePolicy;
import dev.cohort.recipes.discovery.PayloadSerializer;
import dev.cohort.recipes.discovery.ProviderStrategy;
import dev.cohort.recipes.discovery.ServiceDiscovery;
import dev.cohort.recipes.discovery.ServiceInstance;
import dev.cohort.recipes.discovery.ServiceProvider;
import dev.cohort.recipes.group.GroupListener;
import dev.cohort.recipes.group.GroupMember;
import dev.cohort.recipes.group.Member;
import dev.cohort.recipes.leader.LeaderLatch;
import dev.cohort.recipes.leader.LeaderLatchListener;
import dev.cohort.recipes.leader.LeaderSelector;
import dev.cohort.recipes.leader.LeadershipObserver;
import dev.cohort.recipes.leader.LeadershipTerm;
import dev.cohort.recipes.leader.Participant;
import dev.cohort.recipes.locks.DistributedLock;
import dev.cohort.recipes.locks.Lease;
import dev.cohort.recipes.locks.LockHold;
import dev.cohort.recipes.locks.MultiLock;
import dev.cohort.recipes.locks.ReadWriteLock;
import dev.cohort.recipes.locks.Semaphore;
import dev.cohort.recipes.node.PersistentNode;
import dev.cohort.recipes.node.PersistentTtlNode;
import dev.cohort.recipes.partition.Partition;
import dev.cohort.recipes.partition.PartitionClaimer;
import dev.cohort.recipes.partition.PartitionListener;
import dev.cohort.recipes.queue.Job;
import dev.cohort.recipes.queue.WorkQueue;
import dev.cohort.recipes.rendezvous.Rendezvous;
import dev.cohort.spi.CreateMode;
import dev.cohort.spi.Op;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

/**
 * README's recipe snippets ("The recipes, ten lines each"), each run on the in-memory backend with
 * an assertion on what it did. ReadmeDocTest checks README shows exactly these regions.
 */
class ReadmeRecipesTest extends ReadmeTestBase {

  @Test
  void leaderLatchAndSelectorLead() throws Exception {
    // snippet: readme-leader
    LeaderLatch latch = LeaderLatch.builder(client, "/scheduler/leader").id("scheduler-a").build();
    latch.addListener(new LeaderLatchListener() {
      public void isLeader(LeadershipTerm term) { startScheduling(term.fencingToken()); }
      public void notLeader(LeadershipTerm term) { stopScheduling(); }
    });
    latch.start();

    LeaderSelector selector = LeaderSelector.builder(client, "/compactor/leader",
        term -> compactOnce(term.fencingToken())).autoRequeue(true).build();
    selector.start();                                          // leads again after each run
    // end-snippet
    await().until(() -> called("startScheduling") && calls.stream().filter(c -> c.startsWith("compactOnce")).count() >= 2);
    assertTrue(latch.hasLeadership());
    LeaderLatch standby = LeaderLatch.builder(admin, "/scheduler/leader").id("scheduler-b").build();
    standby.start();
    fixture.expire(client);                                    // the leader's session ends
    await().until(() -> called("stopScheduling") && standby.hasLeadership());
    selector.close();
    latch.close();
    standby.close();
  }

  @Test
  void leadershipObserverAndAsyncLeadership() throws Exception {
    LeaderLatch latch = LeaderLatch.builder(client, "/scheduler/leader").id("scheduler-a").build();
    latch.start();
    assertTrue(latch.await(Duration.ofSeconds(10)));
    // snippet: readme-leader-observe
    LeadershipObserver observer = LeadershipObserver.builder(admin, "/scheduler/leader").build();
    observer.addListener(leader -> routeTo(leader.map(LeadershipTerm::participantId))); // each change once
    observer.start();                                          // joins nothing: no node, one watch
    Optional<LeadershipTerm> now = observer.currentLeader();   // id + fencing token, no request

    LeaderLatch standby = LeaderLatch.builder(admin, "/scheduler/leader").id("scheduler-b").build();
    standby.start();
    CompletableFuture<LeadershipTerm> leads = standby.leadershipAsync(Duration.ofMinutes(5));
    leads.thenAccept(term -> startScheduling(term.fencingToken())); // cancel(true) withdraws, node deleted
    List<Participant> line = standby.participants();           // LeaderSelector has them too
    // end-snippet
    await().until(() -> called("routeTo scheduler-a"));
    assertEquals("scheduler-a", observer.currentLeader().orElseThrow().participantId());
    assertEquals("scheduler-a", line.get(0).id(), "the leader is first in line");
    assertFalse(leads.isDone());
    latch.close();
    assertEquals("scheduler-b", leads.get(10, java.util.concurrent.TimeUnit.SECONDS).participantId());
    await().until(() -> called("routeTo scheduler-b") && called("startScheduling"));
    observer.close();
    standby.close();
    assertTrue(now.isEmpty() || now.get().participantId().equals("scheduler-a"));
  }

  @Test
  void lockSemaphoreAndFencedResource() throws Exception {
    // snippet: readme-locks
    FencedResource ledger = new FencedResource();              // lives where the writes land
    DistributedLock lock = new DistributedLock(client, "/locks/ledger");
    FencingToken token = lock.acquire();                       // or tryAcquire(Duration)
    try {
      ledger.accept(token);                                    // rejects a token older than one it saw
      writeLedger(token);
    } finally {
      lock.release();
    }
    try (Lease lease = new Semaphore(client, "/leases/api", 10).acquire()) { callApi(); }
    // end-snippet
    assertEquals(List.of("writeLedger " + token.value(), "callApi"), calls);
    assertEquals(token.value(), ledger.highestSeen());
    FencingToken next = new DistributedLock(admin, "/locks/ledger").acquire();
    assertTrue(next.isNewerThan(token), "the next holder gets a larger token");
  }

  @Test
  void asyncLockRevocationAndAsyncLease() throws Exception {
    // snippet: readme-locks-async
    DistributedLock reports = new DistributedLock(client, "/locks/reports");
    reports.setRevocationListener((lock, token) -> call("asked to let go", token)); // opt in first
    CompletableFuture<LockHold> pending = reports.acquireAsync(Duration.ofSeconds(5)); // parks no thread
    LockHold hold = pending.join();                            // or thenAccept; cancel() leaves no node
    writeLedger(hold.fencingToken());
    DistributedLock other = new DistributedLock(admin, "/locks/reports");
    String holder = other.participants().get(0).nodeName();    // the holder first, then the waiters
    other.requestRevocation(holder).join();                    // the holder's listener is told once
    hold.release();                                            // from any thread; idempotent
    CompletableFuture<Lease> lease = new Semaphore(client, "/leases/api", 10).acquireAsync();
    // end-snippet
    assertTrue(hold.nodePath().endsWith("/" + holder), "the holder is listed first");
    assertEquals(List.of("writeLedger " + hold.fencingToken().value()),
        calls.stream().filter(c -> c.startsWith("writeLedger")).toList());
    assertTrue(lease.get(10, java.util.concurrent.TimeUnit.SECONDS).isValid());
    assertTrue(new DistributedLock(admin, "/locks/reports").tryLock().isPresent(), "released");
  }

  @Test
  void readWriteLockAndMultiLock() throws Exception {
    // snippet: readme-rwlock-multilock
    ReadWriteLock catalog = new ReadWriteLock(client, "/locks/catalog");
    FencingToken read = catalog.readLock().acquire();          // readers share; writers wait
    try { readCatalog(read); } finally { catalog.readLock().release(); }

    MultiLock both = new MultiLock(List.of(                    // all or none
        new DistributedLock(client, "/locks/account-1"),
        new DistributedLock(client, "/locks/account-2")));
    List<FencingToken> tokens = both.acquire();
    try { transfer(tokens); } finally { both.release(); }
    // end-snippet
    assertEquals(2, tokens.size());
    assertEquals(List.of("readCatalog " + read.value(), "transfer 2"), calls);
    assertTrue(new DistributedLock(admin, "/locks/account-2").tryLock().isPresent(), "released");
  }

  @Test
  void workQueueRunsAJobOnce() throws Exception {
    // snippet: readme-queue
    WorkQueue queue = WorkQueue.builder(client, "/queues/thumbnails").maxAttempts(5).build();
    queue.put("image-42".getBytes(UTF_8));

    Optional<Job> job = queue.take(Duration.ofSeconds(1));     // claims one job (ephemeral claim)
    if (job.isPresent()) {
      render(job.get().payload(), job.get().fencingToken());
      queue.complete(job.get());                               // or fail(job): retried, then dead letter
    }
    // end-snippet
    assertTrue(called("render image-42"));
    assertEquals(0, queue.size());
    queue.close();
  }

  @Test
  void partitionClaimerOwnsTheOnlyPartition() throws Exception {
    byte[] instructions = "topic=ingest/7".getBytes(UTF_8);
    // snippet: readme-partitions
    PartitionClaimer.definePartition(admin, "/ingest", "shard-07", instructions);
    PartitionClaimer claimer = PartitionClaimer.builder(client, "/ingest", "member-a",
        new PartitionListener() {
          public void assigned(Partition p) { startConsuming(p.id(), p.fencingToken()); }
          public void revoked(String id) { stopConsuming(id); }   // returns before the hand-over
        }).start();
    Set<String> mine = claimer.owned();
    // end-snippet
    await().until(() -> claimer.owned().contains("shard-07"));
    await().until(() -> called("startConsuming shard-07"));
    assertTrue(mine.isEmpty() || mine.contains("shard-07"));
    claimer.close();
  }

  @Test
  void aStaticPartitionMemberGetsItsPartitionsBackAfterARestart() throws Exception {
    PartitionClaimer.definePartition(admin, "/ingest", "shard-07", new byte[0]);
    List<FencingToken> tokens = new java.util.concurrent.CopyOnWriteArrayList<>();
    PartitionListener listener = new PartitionListener() {
      public void assigned(Partition p) { tokens.add(p.fencingToken()); }
      public void revoked(String id) { call("stopConsuming " + id); }
    };
    // snippet: readme-partitions-static
    PartitionClaimer member = PartitionClaimer.builder(client, "/ingest", "ingest-host-3", listener)
        .staticMembership(Duration.ofMinutes(2))     // a restart within 2 min keeps its partitions
        .weight(2)                                   // about twice the share of a weight-1 member
        .maxPartitions(40)                           // never more; the rest: member.unassigned()
        .start();
    // end-snippet
    await().until(() -> member.owned().contains("shard-07"));
    assertTrue(member.closeForRestart(Duration.ofSeconds(10)));
    assertEquals(1, tokens.size());
    assertTrue(called("stopConsuming shard-07"));
    PartitionClaimer restarted = PartitionClaimer.builder(admin, "/ingest", "ingest-host-3", listener)
        .staticMembership(Duration.ofMinutes(2)).start();
    await().until(() -> restarted.owned().contains("shard-07"));
    assertTrue(tokens.get(1).isNewerThan(tokens.get(0)));
    restarted.close();
  }

  @Test
  void serviceDiscoveryPicksARegisteredInstance() throws Exception {
    // snippet: readme-discovery
    ServiceDiscovery discovery = ServiceDiscovery.create(client, "/services");
    discovery.register(ServiceInstance.of("orders", "orders-1", "10.0.0.5", 8080));

    ServiceProvider orders = discovery.provider("orders", ProviderStrategy.roundRobin());
    Optional<ServiceInstance> target = orders.pick();          // crashed instances vanish from the view
    // end-snippet
    assertEquals("orders-1", target.orElseThrow().id());
    discovery.close();
  }

  @Test
  void serviceDiscoveryCarriesATypedPayloadAndSkipsFailingInstances() throws Exception {
    ServiceDiscovery discovery = ServiceDiscovery.create(client, "/services");
    // snippet: readme-discovery-more
    PayloadSerializer<Zone> zones = new ZoneSerializer();      // yours: JSON, protobuf, text...
    discovery.register(ServiceInstance.of("orders", "orders-2", "10.0.0.6", 8080, new Zone("eu-west"), zones));
    List<String> services = discovery.serviceNames();          // [orders]

    ServiceProvider orders = discovery.provider("orders", ProviderStrategy.roundRobin(),
        new DownInstancePolicy(Duration.ofSeconds(30), 2));    // 2 errors in 30 s: skipped for 30 s
    ServiceInstance target = orders.pick().orElseThrow();
    if (!send(target, target.payload(zones))) orders.noteError(target);
    // end-snippet
    assertEquals(List.of("orders"), services);
    assertTrue(called("send orders-2 eu-west"));
    orders.noteError(target);
    assertEquals(Optional.empty(), orders.pick(), "two errors: skipped");
    orders.close();
    discovery.close();
  }

  @Test
  void groupMemberSeesItselfAndOthers() throws Exception {
    // snippet: readme-group
    GroupMember me = GroupMember.join(client, "/groups/indexers", "indexer-1",
        "10.0.0.7:9000".getBytes(UTF_8), new GroupListener() {
          public void joined(Member m) { addPeer(m.id()); }
          public void left(Member m) { removePeer(m.id()); }
        });
    Map<String, Member> everyone = me.members();               // a live view, this member included
    me.update("10.0.0.7:9001".getBytes(UTF_8));                // the others see an update
    // end-snippet
    assertTrue(everyone.containsKey("indexer-1"));
    GroupMember other = GroupMember.join(admin, "/groups/indexers", "indexer-2", new byte[0], new GroupListener() {});
    await().until(() -> called("addPeer indexer-2"));
    other.close();
    await().until(() -> called("removePeer indexer-2"));
    me.close();
  }

  @Test
  void cachesFollowANodeAndChildren() throws Exception {
    admin.blocking().createWithParents("/config/limits", "rps=100".getBytes(UTF_8), CreateMode.PERSISTENT);
    admin.blocking().createWithParents("/workers/w1", new byte[0], CreateMode.PERSISTENT);
    // snippet: readme-caches
    NodeCache limits = NodeCache.start(client, "/config/limits",
        current -> current.ifPresent(node -> applyLimits(node.data())));
    Optional<ChildData> now = limits.current();                // never blocks

    ChildrenCache workers = ChildrenCache.start(client, "/workers", (type, child) -> {
      if (type == ChildrenCacheListener.Type.ADDED) addWorker(child.name());
      if (type == ChildrenCacheListener.Type.REMOVED) removeWorker(child.name());
    });
    Map<String, ChildData> live = workers.children();          // name -> data, never blocks
    // end-snippet
    assertArrayEquals("rps=100".getBytes(UTF_8), now.orElseThrow().data());
    assertTrue(live.containsKey("w1"), live.toString());
    admin.blocking().setData("/config/limits", "rps=200".getBytes(UTF_8), -1);
    admin.blocking().create("/workers/w2", new byte[0], CreateMode.PERSISTENT);
    await().until(() -> called("applyLimits rps=200") && called("addWorker w2"));
    limits.close();
    workers.close();
  }

  @Test
  void aTreeCacheFollowsAWholeSubtree() throws Exception {
    admin.blocking().createWithParents("/config/services/billing/timeout", "5s".getBytes(UTF_8), CreateMode.PERSISTENT);
    // snippet: readme-tree-cache
    TreeCache config = TreeCache.builder(client, "/config/services")
        .maxDepth(3)                                            // optional; cacheData(false) keeps stats only
        .listener(event -> {
          switch (event.type()) {
            case NODE_ADDED, NODE_UPDATED -> configChanged(event.node().path(), event.node().data());
            case NODE_REMOVED -> configRemoved(event.node().path());
            case INITIALIZED -> configLoaded();                // once, after the initial load
          }
        })
        .build();
    config.start();                                             // returns at once; the load is events
    config.awaitInitialized(Duration.ofSeconds(30));
    Optional<ChildData> timeout = config.current("/config/services/billing/timeout"); // never blocks
    // end-snippet
    assertArrayEquals("5s".getBytes(UTF_8), timeout.orElseThrow().data());
    await().until(() -> called("configLoaded"));
    assertTrue(called("configChanged /config/services/billing/timeout 5s"));
    admin.blocking().create("/config/services/billing/retries", "3".getBytes(UTF_8), CreateMode.PERSISTENT);
    admin.blocking().delete("/config/services/billing/timeout", -1);
    await().until(() -> called("configChanged /config/services/billing/retries 3")
        && called("configRemoved /config/services/billing/timeout"));
    config.close();
  }

  @Test
  void countersLoseNoUpdate() throws Exception {
    // snippet: readme-counters
    SharedCounter visitors = SharedCounter.start(client, "/counters/visitors", 0);
    visitors.addListener(count -> showVisitors(count));        // every change, in order
    VersionedValue seen = visitors.getVersionedValue();
    boolean won = visitors.trySetCount(seen, seen.value() + 1); // false if someone wrote first

    DistributedAtomicLong orders = DistributedAtomicLong.of(client, "/counters/orders", 10);
    AtomicResult next = orders.increment();                    // at most 10 compare-and-set tries
    if (next.succeeded()) assignOrderNumber(next.postValue());
    // end-snippet
    assertTrue(won);
    assertFalse(visitors.trySetCount(seen, 5), "a stale version is refused");
    assertTrue(called("assignOrderNumber 1"));
    await().until(() -> called("showVisitors 1"));
    visitors.close();
  }

  @Test
  void barrierHoldsWaitersUntilRemoved() throws Exception {
    Cohort worker = admin;
    // snippet: readme-barrier
    Barrier deploy = Barrier.of(client, "/barriers/deploy");
    deploy.set();                                              // up while its node exists
    startWorkers();                                            // each waits as below
    deploy.remove();                                           // releases every waiter

    // on each worker: true once removed, false when the timeout passes first
    boolean go = Barrier.of(worker, "/barriers/deploy").waitUntilRemoved(Duration.ofMinutes(5));
    // end-snippet
    assertTrue(go);
    assertTrue(waiter.get(), "the started worker is released too");
  }

  @Test
  void doubleBarrierStartsAndEndsTogether() throws Exception {
    List<CompletableFuture<Boolean>> others = List.of(
        CompletableFuture.supplyAsync(() -> enterAndLeave(fixture.newClient(), "worker-b")),
        CompletableFuture.supplyAsync(() -> enterAndLeave(fixture.newClient(), "worker-c")));
    // snippet: readme-double-barrier
    DoubleBarrier round = DoubleBarrier.of(client, "/barriers/round-7", "worker-a", 3);
    if (round.enter(Duration.ofSeconds(30))) {                 // returns once all 3 have entered
      computeShare();
      round.leave(Duration.ofSeconds(30));                     // returns once all 3 have left
    }
    // end-snippet
    assertTrue(called("computeShare"));
    for (CompletableFuture<Boolean> other : others) {
      assertTrue(other.get());
    }
  }

  @Test
  void countDownLatchOpensWhenEveryShardIsLoaded() throws Exception {
    CountDownLatch others = CountDownLatch.create(admin, "/latches/shards-loaded", 3);
    others.countDown();
    others.countDown();
    // snippet: readme-count-down-latch
    CountDownLatch loaded = CountDownLatch.create(client, "/latches/shards-loaded", 3);
    loadShard();
    loaded.countDown();                                        // retry-safe: counts at most once
    boolean ready = loaded.await(Duration.ofMinutes(5));       // true once all 3 have counted down
    long left = loaded.getCount();                             // 0; counting down further is a no-op
    // end-snippet
    assertTrue(ready);
    assertEquals(0, left);
    assertTrue(called("loadShard"));
  }

  @Test
  void rendezvousHandsTheAddressToALateWorker() throws Exception {
    Cohort master = admin;
    // snippet: readme-rendezvous
    Rendezvous.publish(master, "/rendezvous/job-9", "10.0.0.9:7000".getBytes(UTF_8));

    try (Rendezvous rv = Rendezvous.join(client, "/rendezvous/job-9", data -> reconnect(data))) {
      byte[] address = rv.await(Duration.ofSeconds(30)).orElseThrow(); // published before or after
      connect(address);
    }
    // end-snippet
    assertTrue(called("connect 10.0.0.9:7000"));
  }

  @Test
  void persistentNodesAreKeptPresent() throws Exception {
    byte[] address = "10.0.0.1:8080".getBytes(UTF_8);
    byte[] newAddress = "10.0.0.2:8080".getBytes(UTF_8);
    byte[] state = "batch-7 running".getBytes(UTF_8);
    // snippet: readme-persistent-node
    try (PersistentNode node = PersistentNode.ephemeral(client, "/services/api/host-1", address)) {
      node.start();                                      // created again if deleted or expired
      node.awaitCreated(Duration.ofSeconds(10));
      node.setData(newAddress).join();                   // kept for every later creation
      registered(node.actualPath().orElseThrow());
    }                                                    // close deletes it

    PersistentTtlNode marker = new PersistentTtlNode(client, "/markers/batch-7", Duration.ofMinutes(5), state);
    marker.start();                                      // touched every 2.5 min; outlives sessions
    marker.awaitCreated(Duration.ofSeconds(10));         // gone 5 min after the last touch
    // end-snippet
    assertTrue(called("registered /services/api/host-1"));
    assertArrayEquals(state, admin.blocking().getData("/markers/batch-7", null).data());
    marker.close();
  }

  @Test
  void ownershipCheckGuardsAMulti() throws Exception {
    byte[] head = "42".getBytes(UTF_8);
    admin.blocking().createWithParents("/ledger/head", new byte[0], CreateMode.PERSISTENT);
    // snippet: readme-ownership-check
    DistributedLock lock = new DistributedLock(client, "/locks/ledger");
    lock.acquire();
    try {                                                // written only while the lock is held:
      client.async().multi(List.of(lock.ownershipCheck(), Op.setData("/ledger/head", head, -1))).join();
    } finally {                                          // after a release or expiry the multi
      lock.release();                                    // fails and writes nothing
    }
    // end-snippet
    assertArrayEquals(head, admin.blocking().getData("/ledger/head", null).data());
  }

  void registered(String path) { call("registered " + path); }

  // ---- the application methods the snippets call

  void startScheduling(FencingToken token) { call("startScheduling", token); }

  void stopScheduling() { call("stopScheduling"); }

  void routeTo(Optional<String> leader) { call("routeTo " + leader.orElse("nobody")); }

  void compactOnce(FencingToken token) { call("compactOnce", token); }

  void writeLedger(FencingToken token) { call("writeLedger", token); }

  void callApi() { call("callApi"); }

  void readCatalog(FencingToken token) { call("readCatalog", token); }

  void transfer(List<FencingToken> tokens) { call("transfer " + tokens.size()); }

  void render(byte[] payload, FencingToken token) { call("render " + new String(payload, UTF_8)); }

  void startConsuming(String id, FencingToken token) { call("startConsuming " + id); }

  void stopConsuming(String id) { call("stopConsuming " + id); }

  void addPeer(String id) { call("addPeer " + id); }

  void removePeer(String id) { call("removePeer " + id); }

  void applyLimits(byte[] data) { call("applyLimits " + new String(data, UTF_8)); }

  void addWorker(String name) { call("addWorker " + name); }

  void removeWorker(String name) { call("removeWorker " + name); }

  void configChanged(String path, byte[] data) { call("configChanged " + path + " " + new String(data, UTF_8)); }

  void configRemoved(String path) { call("configRemoved " + path); }

  void configLoaded() { call("configLoaded"); }

  void showVisitors(long count) { call("showVisitors " + count); }

  void assignOrderNumber(long number) { call("assignOrderNumber " + number); }

  void startWorkers() {
    waiter = CompletableFuture.supplyAsync(() -> waitOut(Barrier.of(admin, "/barriers/deploy")));
  }

  private CompletableFuture<Boolean> waiter;

  void computeShare() { call("computeShare"); }

  void loadShard() { call("loadShard"); }

  boolean send(ServiceInstance target, Zone zone) {
    call("send " + target.id() + " " + zone.name());
    return false;
  }

  /** The application's payload type in the discovery snippet. */
  record Zone(String name) {}

  /** The application's serializer for it. */
  static final class ZoneSerializer implements PayloadSerializer<Zone> {
    @Override
    public byte[] serialize(Zone zone) {
      return zone.name().getBytes(UTF_8);
    }

    @Override
    public Zone deserialize(byte[] bytes) {
      return new Zone(new String(bytes, UTF_8));
    }
  }

  void reconnect(byte[] data) { call("reconnect " + new String(data, UTF_8)); }

  void connect(byte[] address) { call("connect " + new String(address, UTF_8)); }

  private static boolean waitOut(Barrier barrier) {
    try {
      return barrier.waitUntilRemoved(Duration.ofMinutes(5));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }

  private static boolean enterAndLeave(Cohort member, String id) {
    DoubleBarrier barrier = DoubleBarrier.of(member, "/barriers/round-7", id, 3);
    try {
      return barrier.enter(Duration.ofSeconds(30)) && barrier.leave(Duration.ofSeconds(30));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }
}
