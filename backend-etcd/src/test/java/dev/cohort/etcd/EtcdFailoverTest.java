package dev.cohort.etcd;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cohort.recipes.Cohort;
import dev.cohort.recipes.FencingToken;
import dev.cohort.recipes.leader.LeaderLatch;
import dev.cohort.recipes.locks.DistributedLock;
import dev.cohort.spi.CoordinationException;
import dev.cohort.spi.CreateMode;
import dev.cohort.spi.Session;
import dev.cohort.spi.SessionConfig;
import dev.cohort.spi.SessionState;
import dev.cohort.spi.Stat;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Failover on a real 3-member etcd cluster: sessions (leases) outlive the loss of the raft leader,
 * their ephemerals stay, writes resume under the new leader, a lock never has two holders and its
 * fencing tokens keep growing; a revoked lease hands leadership to the next in line. The figures
 * (kill to next write, revoke to successor) are logged at WARN so they appear in the test output.
 */
class EtcdFailoverTest {

  private static final Logger LOG = LoggerFactory.getLogger(EtcdFailoverTest.class);
  private static final Duration SESSION_TIMEOUT = Duration.ofSeconds(10);
  private static final Duration FAILOVER_WAIT = Duration.ofSeconds(30);

  private EtcdProcess cluster;
  private EtcdBackend backend;

  @BeforeEach
  void start() {
    cluster = EtcdProcess.start(3);
    backend = EtcdBackend.builder().endpoints(cluster.clientUrls()).build();
  }

  @AfterEach
  void stop() {
    if (backend != null) {
      backend.close();
    }
    cluster.close();
  }

  private Session open() {
    return join(backend.openSession(SessionConfig.withTimeout(SESSION_TIMEOUT)).thenApply(s -> s));
  }

  private static <T> T join(java.util.concurrent.CompletableFuture<T> f) {
    try {
      return f.get(FAILOVER_WAIT.toMillis(), TimeUnit.MILLISECONDS);
    } catch (Exception e) {
      throw new AssertionError("operation failed: " + e, e);
    }
  }

  @Test
  void sessionsSurviveTheLossOfTheLeaderAndWritesResumeUnderANewOne() {
    Session a = open();
    Session b = open();
    join(a.create("/a-lease", new byte[0], CreateMode.EPHEMERAL));
    join(b.create("/b-lease", new byte[0], CreateMode.EPHEMERAL));
    Stat before = join(a.create("/before", new byte[0], CreateMode.PERSISTENT)).stat();
    List<SessionState> states = new CopyOnWriteArrayList<>();
    a.addStateListener((s, st) -> states.add(st));
    EtcdProcess.Member oldLeader = cluster.leader();

    long killed = System.nanoTime();
    oldLeader.kill();
    AtomicInteger attempt = new AtomicInteger();
    Stat after = await().atMost(FAILOVER_WAIT).pollInterval(Duration.ofMillis(20)).ignoreExceptions().until(
        () -> a.create("/after-" + attempt.incrementAndGet(), new byte[0], CreateMode.PERSISTENT).get(5, TimeUnit.SECONDS).stat(),
        Objects::nonNull);
    long millis = (System.nanoTime() - killed) / 1_000_000;
    LOG.warn("FIGURE leader killed -> next write committed: {} ms ({} attempts)", millis, attempt.get());

    assertNotEquals(oldLeader, cluster.leader());
    assertTrue(after.czxid() > before.czxid(), "revisions keep growing across the failover");
    await().atMost(FAILOVER_WAIT).until(() -> a.state().isConnected() && b.state().isConnected());
    assertTrue(states.stream().noneMatch(SessionState::isTerminal), "never expired: " + states);
    assertEquals(a.id(), join(b.exists("/a-lease")).ephemeralOwner());
    assertEquals(b.id(), join(a.exists("/b-lease")).ephemeralOwner());
  }

  @Test
  void lockNeverHasTwoHoldersAndKeepsHandingOffAcrossLeaderLoss() throws InterruptedException {
    AtomicInteger holders = new AtomicInteger();
    AtomicInteger overlaps = new AtomicInteger();
    AtomicInteger cycles = new AtomicInteger();
    AtomicBoolean stop = new AtomicBoolean();
    List<FencingToken> tokens = new CopyOnWriteArrayList<>();
    List<Cohort> clients = new ArrayList<>();
    List<Thread> workers = new ArrayList<>();
    try {
      for (int i = 0; i < 2; i++) {
        Cohort client = Cohort.builder(backend).sessionTimeout(SESSION_TIMEOUT).build();
        client.start();
        clients.add(client);
        DistributedLock lock = new DistributedLock(client, "/lock");
        Thread worker = new Thread(() -> {
          while (!stop.get()) {
            try {
              lock.tryAcquire(Duration.ofSeconds(2)).ifPresent(token -> {
                try {
                  if (holders.incrementAndGet() != 1) {
                    overlaps.incrementAndGet();
                  }
                  tokens.add(token);
                  cycles.incrementAndGet();
                  holders.decrementAndGet();
                } finally {
                  lock.release();
                }
              });
            } catch (CoordinationException | IllegalStateException e) {
              // the cluster is electing a leader: try again
            } catch (InterruptedException e) {
              return;
            }
          }
        }, "lock-worker-" + i);
        workers.add(worker);
        worker.start();
      }
      await().atMost(FAILOVER_WAIT).until(() -> cycles.get() >= 20);
      cluster.leader().kill();
      int atKill = cycles.get();
      await().atMost(FAILOVER_WAIT).until(() -> cycles.get() >= atKill + 20);
    } finally {
      stop.set(true);
      for (Thread worker : workers) {
        worker.join(FAILOVER_WAIT.toMillis());
      }
      clients.forEach(Cohort::close);
    }
    assertEquals(0, overlaps.get(), "two holders at once");
    for (int i = 1; i < tokens.size(); i++) {
      assertTrue(tokens.get(i).isNewerThan(tokens.get(i - 1)), "fencing tokens grow: " + tokens);
    }
  }

  @Test
  void revokedLeaseHandsLeadershipToTheNextInLine() throws InterruptedException {
    List<Cohort> clients = new ArrayList<>();
    List<LeaderLatch> latches = new ArrayList<>();
    try {
      for (int i = 0; i < 2; i++) {
        Cohort client = Cohort.builder(backend).sessionTimeout(SESSION_TIMEOUT).build();
        client.start();
        clients.add(client);
        LeaderLatch latch = LeaderLatch.builder(client, "/election").id("p" + i).build();
        latches.add(latch);
        latch.start();
      }
      LeaderLatch leader = await().atMost(FAILOVER_WAIT).until(
          () -> latches.stream().filter(LeaderLatch::hasLeadership).findFirst().orElse(null), Objects::nonNull);
      LeaderLatch successor = latches.get(0) == leader ? latches.get(1) : latches.get(0);
      long lease = leader.currentTerm().orElseThrow().fencingToken().value() > 0
          ? ownerOf(leader) : 0;

      long revoked = System.nanoTime();
      EtcdFixture.revoke(cluster, lease);
      await().atMost(FAILOVER_WAIT).pollInterval(Duration.ofMillis(5)).until(successor::hasLeadership);
      long millis = (System.nanoTime() - revoked) / 1_000_000;
      LOG.warn("FIGURE lease revoked -> successor leads: {} ms", millis);
      await().atMost(FAILOVER_WAIT).until(() -> !leader.hasLeadership());
    } finally {
      latches.forEach(LeaderLatch::close);
      clients.forEach(Cohort::close);
    }
  }

  /** The lease (session id) that owns the latch's node. */
  private long ownerOf(LeaderLatch latch) {
    Session s = open();
    try {
      return join(s.exists(latch.ownedNodePath().orElseThrow())).ephemeralOwner();
    } finally {
      s.close();
    }
  }
}
