package dev.cohort.recipes.leader;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cohort.recipes.Cohort;
import dev.cohort.recipes.ConnectionState;
import dev.cohort.recipes.RecipeSuiteSupport;
import dev.cohort.spi.InvalidPathException;
import dev.cohort.tck.FaultControl;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** {@link LeadershipObserver}'s guarantees, on any backend. */
public abstract class LeadershipObserverSuite extends RecipeSuiteSupport {

  private static final String PATH = "/observed";
  private final List<AutoCloseable> closeables = new ArrayList<>();

  @AfterEach
  void closeRecipes() throws Exception {
    for (AutoCloseable c : closeables) {
      c.close();
    }
  }

  /** Every report an observer made, in order: a participant id and token, or "none". */
  private static final class Reports implements LeadershipObserverListener {
    final List<String> seen = new CopyOnWriteArrayList<>();
    final List<String> threads = new CopyOnWriteArrayList<>();

    @Override
    public void leaderChanged(Optional<LeadershipTerm> leader) {
      threads.add(Thread.currentThread().getName());
      seen.add(leader.map(Reports::describe).orElse("none"));
    }

    static String describe(LeadershipTerm t) {
      return t.participantId() + "@" + t.fencingToken().value();
    }

    String last() {
      return seen.isEmpty() ? null : seen.get(seen.size() - 1);
    }
  }

  private LeadershipObserver observer(Cohort client, Reports reports) {
    LeadershipObserver o = LeadershipObserver.builder(client, PATH).build();
    closeables.add(o);
    o.addListener(reports);
    o.start();
    // its first read is in before the test goes on, so the first report is the state at the start
    await().until(() -> !reports.seen.isEmpty());
    return o;
  }

  private LeaderLatch latch(Cohort client, String id) throws InterruptedException {
    LeaderLatch l = LeaderLatch.builder(client, PATH).id(id).build();
    closeables.add(l);
    l.start();
    return l;
  }

  private static String termOf(LeaderLatch l) {
    return Reports.describe(l.currentTerm().orElseThrow());
  }

  @Test
  void reportsTheLeaderAndEveryHandOverWithTheTermsToken() throws Exception {
    Reports reports = new Reports();
    LeadershipObserver observer = observer(newClient(), reports);
    await().until(() -> List.of("none").equals(reports.seen));
    assertEquals(Optional.empty(), observer.currentLeader());

    LeaderLatch a = latch(newClient(), "a");
    assertTrue(a.await(Duration.ofSeconds(10)));
    String aTerm = termOf(a);
    await().until(() -> aTerm.equals(reports.last()));
    assertEquals(a.currentTerm(), observer.currentLeader(), "the query names the same term");
    LeaderLatch b = latch(newClient(), "b");
    awaitChildren(PATH, 2);

    a.close();
    assertTrue(b.await(Duration.ofSeconds(10)));
    String bTerm = termOf(b);
    await().until(() -> bTerm.equals(reports.last()));
    b.close();
    await().until(() -> "none".equals(reports.last()));
    LeaderLatch c = latch(newClient(), "c"); // into an empty line: the children watch sees it
    assertTrue(c.await(Duration.ofSeconds(10)));
    String cTerm = termOf(c);
    await().until(() -> cTerm.equals(reports.last()));

    assertEquals(List.of("none", aTerm, bTerm, "none", cTerm), reports.seen, "each change told once, in order");
    assertTrue(reports.threads.stream().allMatch(n -> n.startsWith("cohort-listener")),
        "listeners run on the client's listener executor: " + reports.threads);
  }

  @Test
  void theObserverNeverJoinsTheElection() throws Exception {
    LeadershipObserver observer = observer(newClient(), new Reports());
    LeaderLatch a = latch(newClient(), "a");
    assertTrue(a.await(Duration.ofSeconds(10)));
    await().until(() -> observer.currentLeader().isPresent());
    assertEquals(1, childrenOf(PATH).size(), "only the participant's node");
    assertEquals(List.of(new Participant("a", true)), observer.participants());
    assertEquals("a", observer.leader().orElseThrow().id());
  }

  @Test
  void participantsJoiningBehindTheLeaderDoNotWakeTheObserver() throws Exception {
    Reports reports = new Reports();
    LeadershipObserver observer = observer(newClient(), reports);
    LeaderLatch a = latch(newClient(), "a");
    assertTrue(a.await(Duration.ofSeconds(10)));
    await().until(() -> termOf(a).equals(reports.last()));
    long wakeups = observer.wakeups();
    List<LeaderLatch> behind = new ArrayList<>();
    for (int i = 0; i < 4; i++) {
      behind.add(latch(newClient(), "p" + i));
    }
    awaitChildren(PATH, 5);
    behind.get(2).close();
    awaitChildren(PATH, 4);
    assertEquals(wakeups, observer.wakeups(), "the observer watches the leader's node only");

    a.close();
    await().until(() -> reports.last().startsWith("p0@"));
    assertEquals(wakeups + 1, observer.wakeups(), "the leader's exit wakes the observer once");
  }

  @Test
  void itWorksForALeaderSelectorToo() throws Exception {
    Reports reports = new Reports();
    observer(newClient(), reports);
    CountDownLatch leading = new CountDownLatch(1);
    LeaderSelector s = LeaderSelector.builder(newClient(), PATH, term -> {
      leading.countDown();
      new CountDownLatch(1).await();
    }).id("sel").build();
    closeables.add(s);
    s.start();
    assertTrue(leading.await(10, TimeUnit.SECONDS));
    await().until(() -> reports.last() != null && reports.last().startsWith("sel@"));
  }

  @Test
  void anExpiryOfTheObserversSessionNeitherLosesNorRepeatsAChange() throws Exception {
    requireFaults(FaultControl.EXPIRE);
    Cohort observerClient = newClient();
    Reports reports = new Reports();
    LeadershipObserver observer = observer(observerClient, reports);
    LeaderLatch a = latch(newClient(), "a");
    assertTrue(a.await(Duration.ofSeconds(10)));
    String aTerm = termOf(a);
    await().until(() -> aTerm.equals(reports.last()));

    // An expiry with no change: the observer reads again on its new session and reports nothing.
    long session = observerClient.sessionId();
    long reads = observer.reads();
    fixture.expire(observerClient.session());
    await().until(() -> observerClient.sessionId() != session && observer.reads() > reads);
    assertEquals(List.of("none", aTerm), reports.seen);

    // A change made while the observer's session is gone is reported once it has a new one.
    LeaderLatch b = latch(newClient(), "b");
    awaitChildren(PATH, 2);
    long session2 = observerClient.sessionId();
    fixture.expire(observerClient.session());
    a.close();
    assertTrue(b.await(Duration.ofSeconds(10)));
    String bTerm = termOf(b);
    await().until(() -> observerClient.sessionId() != session2 && bTerm.equals(reports.last()));
    assertEquals(List.of("none", aTerm, bTerm), reports.seen);
    assertEquals(b.currentTerm(), observer.currentLeader());
  }

  @Test
  void whileSuspendedTheObserverKeepsTheLastLeaderAndReportsTheChangeOnceOnReconnect() throws Exception {
    requireFaults(FaultControl.DISCONNECT);
    Cohort observerClient = newClient();
    Reports reports = new Reports();
    LeadershipObserver observer = observer(observerClient, reports);
    LeaderLatch a = latch(newClient(), "a");
    assertTrue(a.await(Duration.ofSeconds(10)));
    String aTerm = termOf(a);
    await().until(() -> aTerm.equals(reports.last()));
    LeaderLatch b = latch(newClient(), "b");
    awaitChildren(PATH, 2);

    fixture.disconnect(observerClient.session());
    await().until(() -> observerClient.connectionState() == ConnectionState.SUSPENDED);
    a.close();
    assertTrue(b.await(Duration.ofSeconds(10)));
    assertEquals(aTerm, Reports.describe(observer.currentLeader().orElseThrow()),
        "while SUSPENDED the observer shows the last leader it saw");
    assertEquals(List.of("none", aTerm), reports.seen, "and reports nothing");

    fixture.reconnect(observerClient.session());
    String bTerm = termOf(b);
    await().until(() -> bTerm.equals(reports.last()));
    // A flap with no change: read again, nothing reported.
    long reads = observer.reads();
    fixture.disconnect(observerClient.session());
    fixture.reconnect(observerClient.session());
    await().until(() -> observer.reads() > reads && observerClient.connectionState().isConnected());
    assertEquals(List.of("none", aTerm, bTerm), reports.seen);
  }

  @Test
  void lostRepliesNeitherLoseNorRepeatAChange() throws Exception {
    requireFaults(FaultControl.LOSE_REPLY);
    Cohort observerClient = newClient();
    Reports reports = new Reports();
    observer(observerClient, reports);
    LeaderLatch a = latch(newClient(), "a");
    assertTrue(a.await(Duration.ofSeconds(10)));
    String aTerm = termOf(a);
    await().until(() -> aTerm.equals(reports.last()));
    LeaderLatch b = latch(newClient(), "b");
    awaitChildren(PATH, 2);

    fixture.loseNextReply(observerClient.session());
    a.close();
    assertTrue(b.await(Duration.ofSeconds(10)));
    String bTerm = termOf(b);
    await().until(() -> bTerm.equals(reports.last()));
    assertEquals(List.of("none", aTerm, bTerm), reports.seen);
  }

  @Test
  void afterCloseNothingIsReportedAndMisuseIsRefused() throws Exception {
    Cohort client = newClient();
    Reports reports = new Reports();
    LeadershipObserver observer = observer(client, reports);
    assertThrows(IllegalStateException.class, observer::start);
    LeaderLatch a = latch(newClient(), "a");
    assertTrue(a.await(Duration.ofSeconds(10)));
    String aTerm = termOf(a);
    await().until(() -> aTerm.equals(reports.last()));
    observer.close();
    observer.close();
    a.close();
    LeaderLatch b = latch(newClient(), "b");
    assertTrue(b.await(Duration.ofSeconds(10)));
    // b's term is visible to a fresh observer; the closed one stays silent
    Reports fresh = new Reports();
    observer(newClient(), fresh);
    await().until(() -> termOf(b).equals(fresh.last()));
    assertEquals(List.of("none", aTerm), reports.seen);
    assertThrows(IllegalStateException.class, observer::start);
    assertThrows(InvalidPathException.class, () -> LeadershipObserver.builder(client, "no-slash"));
  }

  @Test
  void underRandomFaultsEveryReportIsANewerTermAndTheLastIsTheLeader() throws Exception {
    requireFaults(FaultControl.DISCONNECT, FaultControl.EXPIRE);
    Random random = new Random(20261207L);
    Cohort observerClient = newClient();
    Reports reports = new Reports();
    observer(observerClient, reports);
    List<Cohort> participants = List.of(newClient(), newClient(), newClient());
    List<LeaderLatch> latches = new ArrayList<>();
    for (int i = 0; i < participants.size(); i++) {
      latches.add(latch(participants.get(i), "p" + i));
    }
    int steps = fixture.supports(FaultControl.VIRTUAL_TIME) ? 40 : 10;
    int next = participants.size();
    boolean cut = false; // whether the observer's connection is cut now
    for (int step = 0; step < steps; step++) {
      switch (random.nextInt(4)) {
        case 0 -> {
          fixture.disconnect(observerClient.session());
          cut = true;
        }
        case 1 -> {
          if (cut) {
            fixture.reconnect(observerClient.session());
            cut = false;
          }
        }
        case 2 -> {
          if (fixture.supports(FaultControl.VIRTUAL_TIME)) {
            // connected or not; a cut client learns of it once reconnected, so the cut stays
            fixture.expire(observerClient.session());
          } else {
            // a real server's fixture ends a session by attaching to it: it must be up and current
            if (cut) {
              fixture.reconnect(observerClient.session());
            }
            await().until(() -> observerClient.connectionState().isConnected());
            long expired = observerClient.sessionId();
            fixture.expire(observerClient.session());
            await().until(() -> observerClient.sessionId() != expired && observerClient.connectionState().isConnected());
            cut = false; // the client's next session is a new, connected one
          }
        }
        default -> {
          // the leader (if any yet) leaves, and its client joins again under a new id
          for (int i = 0; i < latches.size(); i++) {
            if (latches.get(i).hasLeadership()) {
              latches.get(i).close();
              latches.set(i, latch(participants.get(i), "p" + next++));
              break;
            }
          }
        }
      }
    }
    if (cut) {
      fixture.reconnect(observerClient.session());
    }
    await().atMost(Duration.ofSeconds(20)).until(() -> {
      Optional<LeaderLatch> leader = latches.stream().filter(LeaderLatch::hasLeadership).findFirst();
      return leader.isPresent() && termOf(leader.get()).equals(reports.last());
    });
    List<String> seen = List.copyOf(reports.seen);
    long newest = 0;
    for (int i = 0; i < seen.size(); i++) {
      if (i > 0) {
        assertTrue(!seen.get(i).equals(seen.get(i - 1)), "a state told twice in a row: " + seen);
      }
      if (!seen.get(i).equals("none")) {
        long token = Long.parseLong(seen.get(i).substring(seen.get(i).indexOf('@') + 1));
        assertTrue(token > newest, "report " + i + " is not a newer term: " + seen);
        newest = token;
      }
    }
  }
}
