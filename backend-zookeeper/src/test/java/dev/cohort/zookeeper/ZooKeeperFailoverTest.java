package dev.cohort.zookeeper;

import static dev.cohort.zookeeper.Futures.join;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cohort.spi.CreateMode;
import dev.cohort.spi.Session;
import dev.cohort.spi.SessionConfig;
import dev.cohort.spi.SessionState;
import dev.cohort.spi.Stat;
import dev.cohort.recipes.Cohort;
import dev.cohort.recipes.FencingToken;
import dev.cohort.recipes.leader.LeaderLatch;
import dev.cohort.recipes.leader.LeaderLatchListener;
import dev.cohort.recipes.leader.LeadershipTerm;
import dev.cohort.recipes.locks.DistributedLock;
import dev.cohort.spi.CoordinationException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Failover on a real 3-server ensemble: a session outlives the loss of the server it is connected
 * to and the loss of the leader, keeps its ephemerals, and its writes resume under the new leader.
 */
class ZooKeeperFailoverTest {

  private static final Duration SESSION_TIMEOUT = Duration.ofSeconds(15);
  private static final Duration FAILOVER_WAIT = Duration.ofSeconds(20);

  private EmbeddedEnsemble ensemble;
  private ZooKeeperBackend backend;

  @BeforeEach
  void start() {
    ensemble = EmbeddedEnsemble.start(3);
    backend = ZooKeeperBackend.connect(ensemble.connectString());
  }

  @AfterEach
  void stop() {
    if (backend != null) {
      backend.close();
    }
    ensemble.close();
  }

  private Session open() {
    return join(backend.openSession(SessionConfig.withTimeout(SESSION_TIMEOUT)));
  }

  private static List<SessionState> recordStates(Session session) {
    List<SessionState> states = new CopyOnWriteArrayList<>();
    session.addStateListener((s, state) -> states.add(state));
    return states;
  }

  private static long epochOf(long zxid) {
    return zxid >>> 32;
  }

  @Test
  void sessionKeepsItsEphemeralsWhenItsServerDies() {
    Session session = open();
    long id = session.id();
    join(session.create("/member", new byte[0], CreateMode.EPHEMERAL));
    List<SessionState> states = recordStates(session);
    await().atMost(FAILOVER_WAIT).until(() -> ensemble.serverOf(id) >= 0);
    int itsServer = ensemble.serverOf(id);

    ensemble.kill(itsServer);

    await().atMost(FAILOVER_WAIT).until(() -> session.state() == SessionState.RECONNECTED);
    assertEquals(List.of(SessionState.SUSPENDED, SessionState.RECONNECTED), states);
    assertEquals(id, session.id());
    int newServer = ensemble.serverOf(id);
    assertNotEquals(itsServer, newServer, "the session moved to a surviving server");
    assertEquals(id, join(session.exists("/member")).ephemeralOwner());
    Session observer = open();
    assertEquals(id, join(observer.exists("/member")).ephemeralOwner(), "other sessions still see it too");
    assertNotNull(join(session.create("/after", new byte[0], CreateMode.PERSISTENT)));
  }

  @Test
  void sessionsSurviveTheLossOfTheLeaderAndWritesResumeUnderANewOne() {
    Session a = open();
    Session b = open();
    join(a.create("/a-lease", new byte[0], CreateMode.EPHEMERAL));
    join(b.create("/b-lease", new byte[0], CreateMode.EPHEMERAL));
    Stat before = join(a.create("/before", new byte[0], CreateMode.PERSISTENT)).stat();
    List<SessionState> statesA = recordStates(a);
    int oldLeader = ensemble.leader();

    ensemble.kill(oldLeader);

    await().atMost(FAILOVER_WAIT).until(() -> ensemble.leader() >= 0 && ensemble.hasLeaderAndAllFollow());
    assertNotEquals(oldLeader, ensemble.leader());
    await().atMost(FAILOVER_WAIT).until(() -> a.state().isConnected() && b.state().isConnected());
    assertTrue(statesA.isEmpty() || statesA.equals(List.of(SessionState.SUSPENDED, SessionState.RECONNECTED)),
        "a session either rode through or was suspended then reconnected, never expired: " + statesA);
    Stat after = join(a.create("/after", new byte[0], CreateMode.PERSISTENT)).stat();
    assertTrue(epochOf(after.czxid()) > epochOf(before.czxid()), "the write was committed by a new leader");
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
                  // Tokens are czxids: each new holder's must exceed every earlier holder's.
                  tokens.add(token);
                  cycles.incrementAndGet();
                  holders.decrementAndGet();
                } finally {
                  lock.release();
                }
              });
            } catch (CoordinationException e) {
              // the ensemble is electing a leader: try again
            } catch (InterruptedException e) {
              return;
            }
          }
        }, "lock-worker-" + i);
        workers.add(worker);
        worker.start();
      }
      await().atMost(FAILOVER_WAIT).until(() -> cycles.get() >= 20);

      ensemble.kill(ensemble.leader());
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

  /**
   * The terms of the latches that report leadership in two passes over them, the same term in both.
   * One pass reads the latches one after another, so it is no snapshot: a leader read just before it
   * stepped down and a successor read just after it took over look like two leaders at once (a
   * sampler descheduled between two reads during the close handover sees exactly that). Two
   * passes read latch i, then j, then i, then j again: when both report one term at both of their
   * reads, i still led after j's first read and j already led before i's second, so both led at once
   * unless both dropped and re-claimed their terms in between, which one leader's node in line
   * forbids to the other. A double leader lasting two passes is caught as before.
   */
  private static List<LeadershipTerm> heldThroughTwoPasses(List<LeaderLatch> latches) {
    List<Optional<LeadershipTerm>> first = latches.stream().map(LeaderLatch::currentTerm).toList();
    List<Optional<LeadershipTerm>> second = latches.stream().map(LeaderLatch::currentTerm).toList();
    List<LeadershipTerm> held = new ArrayList<>();
    for (int i = 0; i < first.size(); i++) {
      if (first.get(i).isPresent() && first.get(i).equals(second.get(i))) {
        held.add(first.get(i).get());
      }
    }
    return held;
  }

  @Test
  void leaderLatchNeverHasTwoLeadersAcrossLeaderLossAndHandsOverAfterIt() throws InterruptedException {
    List<LeadershipTerm> terms = new CopyOnWriteArrayList<>();
    List<String> events = new CopyOnWriteArrayList<>();
    List<Cohort> clients = new ArrayList<>();
    List<LeaderLatch> latches = new CopyOnWriteArrayList<>();
    List<String> overlaps = new CopyOnWriteArrayList<>();
    AtomicBoolean stop = new AtomicBoolean();
    // Samples every latch's own belief continuously: two latches must never both believe they lead.
    Thread sampler = new Thread(() -> {
      while (!stop.get()) {
        List<LeadershipTerm> both = heldThroughTwoPasses(latches);
        if (both.size() > 1 && overlaps.size() < 10) {
          overlaps.add(both.toString());
        }
        Thread.onSpinWait();
      }
    }, "leadership-sampler");
    try {
      for (int i = 0; i < 3; i++) {
        Cohort client = Cohort.builder(backend).sessionTimeout(SESSION_TIMEOUT).build();
        client.start();
        clients.add(client);
        LeaderLatch latch = LeaderLatch.builder(client, "/election").id("p" + i).build();
        latch.addListener(new LeaderLatchListener() {
          @Override
          public void isLeader(LeadershipTerm term) {
            events.add("isLeader " + term.participantId() + " " + term.fencingToken().value());
            terms.add(term);
          }

          @Override
          public void notLeader(LeadershipTerm term) {
            events.add("notLeader " + term.participantId() + " " + term.fencingToken().value());
          }
        });
        latches.add(latch);
      }
      sampler.start();
      latches.forEach(LeaderLatch::start);
      await().atMost(FAILOVER_WAIT).until(() -> latches.stream().filter(LeaderLatch::hasLeadership).count() == 1);

      ensemble.kill(ensemble.leader());
      // The kill's disconnect may reach the clients after a first look (RELEASE_ON_SUSPEND then
      // gives leadership up until the reconnect), so find the leader inside the wait.
      LeaderLatch leader = await().atMost(FAILOVER_WAIT).until(
          () -> latches.stream().filter(LeaderLatch::hasLeadership).findFirst().orElse(null), Objects::nonNull);
      String oldLeader = leader.id();
      leader.close();

      await().atMost(FAILOVER_WAIT).until(() -> latches.stream()
          .anyMatch(l -> !l.id().equals(oldLeader) && l.hasLeadership()));
    } finally {
      stop.set(true);
      sampler.join(FAILOVER_WAIT.toMillis());
      latches.forEach(LeaderLatch::close);
      clients.forEach(Cohort::close);
    }
    assertEquals(List.of(), overlaps, "two latches believed they led at once; events: " + events);
    // A term may be announced again after a reconnect; a new participant's term is always newer.
    for (int i = 1; i < terms.size(); i++) {
      LeadershipTerm previous = terms.get(i - 1);
      LeadershipTerm next = terms.get(i);
      if (!next.participantId().equals(previous.participantId())) {
        assertTrue(next.fencingToken().isNewerThan(previous.fencingToken()), "terms out of order: " + events);
      }
    }
    assertTrue(terms.stream().map(LeadershipTerm::participantId).distinct().count() >= 2, events.toString());
  }
}
