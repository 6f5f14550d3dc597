package dev.cohort.recipes.leader;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cohort.recipes.Cohort;
import dev.cohort.recipes.ConnectionState;
import dev.cohort.recipes.RecipeSuiteSupport;
import dev.cohort.tck.FaultControl;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.Queue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/** {@link LeaderLatch}'s guarantees, on any backend. */
public abstract class LeaderLatchSuite extends RecipeSuiteSupport {

  private static final String PATH = "/election";

  private LeaderLatch latch(Cohort client, String id) {
    return latch(client, id, SuspendPolicy.RELEASE_ON_SUSPEND);
  }

  private LeaderLatch latch(Cohort client, String id, SuspendPolicy policy) {
    LeaderLatch l = LeaderLatch.builder(client, PATH).id(id).suspendPolicy(policy).build();
    l.start();
    return l;
  }

  private static List<LeaderLatch> leaders(List<LeaderLatch> latches) {
    return latches.stream().filter(LeaderLatch::hasLeadership).toList();
  }

  @Test
  void exactlyOneOfManyParticipantsLeadsAndEveryoneAgreesWho() throws Exception {
    List<LeaderLatch> latches = new ArrayList<>();
    for (int i = 0; i < 5; i++) {
      latches.add(latch(newClient(), "p" + i));
    }
    await().until(() -> leaders(latches).size() == 1);
    await().until(() -> latches.get(0).participants().size() == 5);
    LeaderLatch leader = leaders(latches).get(0);
    assertEquals(leader.id(), latches.get(3).leader().orElseThrow().id());
    assertEquals(5, latches.get(1).participants().stream().map(Participant::id).collect(Collectors.toSet()).size());
    assertTrue(leader.await(Duration.ZERO));
  }

  @Test
  void closingTheLeaderHandsOverToItsSuccessorWithANewerTerm() throws Exception {
    LeaderLatch a = latch(newClient(), "a");
    assertTrue(a.await(Duration.ofSeconds(10)));
    LeaderLatch b = latch(newClient(), "b");
    List<String> aEvents = new CopyOnWriteArrayList<>();
    List<LeadershipTerm> bTerms = new CopyOnWriteArrayList<>();
    List<String> listenerThreads = new CopyOnWriteArrayList<>();
    a.addListener(new LeaderLatchListener() {
      @Override
      public void isLeader(LeadershipTerm term) {
        aEvents.add("leader");
      }

      @Override
      public void notLeader(LeadershipTerm term) {
        aEvents.add("not leader");
      }
    });
    b.addListener(new LeaderLatchListener() {
      @Override
      public void isLeader(LeadershipTerm term) {
        listenerThreads.add(Thread.currentThread().getName());
        bTerms.add(term);
      }

      @Override
      public void notLeader(LeadershipTerm term) {
      }
    });
    await().until(() -> b.participants().size() == 2);
    assertFalse(b.hasLeadership());
    LeadershipTerm aTerm = a.currentTerm().orElseThrow();

    a.close(CloseMode.NOTIFY_LEADER);

    assertTrue(b.await(Duration.ofSeconds(10)));
    assertFalse(a.hasLeadership());
    await().until(() -> aEvents.equals(List.of("not leader")) && bTerms.size() == 1);
    assertTrue(bTerms.get(0).fencingToken().isNewerThan(aTerm.fencingToken()));
    assertEquals("b", bTerms.get(0).participantId());
    assertTrue(listenerThreads.stream().allMatch(n -> n.startsWith("cohort-listener")),
        "listeners run on the client's listener executor, never on a backend thread: " + listenerThreads);
  }

  @Test
  void aSuspendedLeaderGivesUpAtOnceByDefaultAndNobodyElseLeadsWhileItsSessionLives() throws Exception {
    requireFaults(FaultControl.DISCONNECT, FaultControl.VIRTUAL_TIME);
    Cohort aClient = newClient();
    LeaderLatch a = latch(aClient, "a");
    assertTrue(a.await(Duration.ofSeconds(10)));
    LeadershipTerm before = a.currentTerm().orElseThrow();
    LeaderLatch b = latch(newClient(), "b");
    await().until(() -> b.participants().size() == 2);

    fixture.disconnect(aClient.session());
    await().until(() -> aClient.connectionState() == ConnectionState.SUSPENDED);
    assertFalse(a.hasLeadership(), "leadership is given up the instant the client is SUSPENDED");
    fixture.advanceTime(SESSION_TIMEOUT.dividedBy(2));
    assertFalse(b.hasLeadership(), "a's session is alive, so its node still blocks b");

    fixture.reconnect(aClient.session());
    assertTrue(a.await(Duration.ofSeconds(10)), "a checks its node and leads again");
    assertEquals(before, a.currentTerm().orElseThrow(), "the same node, the same term");
    assertFalse(before.isReconfirmation(), "the first report of the term");
    assertTrue(a.currentTerm().orElseThrow().isReconfirmation(), "reported again after the reconnect, and says so");
    assertFalse(b.hasLeadership());
  }

  @Test
  void keepUntilLostHoldsLeadershipThroughSuspensionAndEndsItOnExpiry() throws Exception {
    requireFaults(FaultControl.DISCONNECT, FaultControl.VIRTUAL_TIME);
    Cohort aClient = newClient();
    LeaderLatch a = latch(aClient, "a", SuspendPolicy.KEEP_UNTIL_LOST);
    assertTrue(a.await(Duration.ofSeconds(10)));
    LeadershipTerm aTerm = a.currentTerm().orElseThrow();
    LeaderLatch b = latch(newClient(), "b");
    await().until(() -> b.participants().size() == 2);

    fixture.disconnect(aClient.session());
    await().until(() -> aClient.connectionState() == ConnectionState.SUSPENDED);
    assertTrue(a.hasLeadership(), "KEEP_UNTIL_LOST keeps leadership while SUSPENDED");

    fixture.advanceTime(SESSION_TIMEOUT.multipliedBy(2)); // the service expires a
    assertTrue(b.await(Duration.ofSeconds(10)));
    fixture.reconnect(aClient.session()); // a learns it expired
    await().until(() -> !a.hasLeadership());
    assertTrue(b.currentTerm().orElseThrow().fencingToken().isNewerThan(aTerm.fencingToken()));
    await().until(() -> b.participants().stream().map(Participant::id).toList().equals(List.of("b", "a")));
    assertFalse(a.hasLeadership(), "a rejoined behind b on its new session");
  }

  @Test
  void anExpiredLeaderIsReplacedAndRejoinsTheLineOnItsNewSession() throws Exception {
    requireFaults(FaultControl.EXPIRE);
    Cohort aClient = newClient();
    LeaderLatch a = latch(aClient, "a");
    assertTrue(a.await(Duration.ofSeconds(10)));
    LeaderLatch b = latch(newClient(), "b");
    await().until(() -> b.participants().size() == 2);
    long oldSession = aClient.sessionId();

    fixture.expire(aClient.session());

    assertTrue(b.await(Duration.ofSeconds(10)));
    await().until(() -> aClient.sessionId() != oldSession
        && b.participants().stream().map(Participant::id).toList().equals(List.of("b", "a")));
    assertFalse(a.hasLeadership());
    a.close();
    await().until(() -> b.participants().size() == 1);
  }

  @Test
  void noTwoLiveParticipantsEverLeadTogetherUnderRandomFaults() throws Exception {
    requireFaults(FaultControl.DISCONNECT, FaultControl.EXPIRE, FaultControl.VIRTUAL_TIME);
    Random random = new Random(20261122L);
    List<Cohort> clients = new ArrayList<>();
    List<LeaderLatch> latches = new ArrayList<>();
    for (int i = 0; i < 4; i++) {
      Cohort c = newClient();
      clients.add(c);
      latches.add(latch(c, "p" + i));
    }
    // A first leader before any fault, so the probes below watch leadership change hands under the
    // faults; firing them at once let the whole run pass before the first claim was made.
    await().until(() -> leaders(latches).size() == 1);
    for (int step = 0; step < 40; step++) {
      Cohort victim = clients.get(random.nextInt(clients.size()));
      switch (random.nextInt(4)) {
        case 0 -> fixture.disconnect(victim.session());
        case 1 -> fixture.reconnect(victim.session());
        case 2 -> fixture.expire(victim.session());
        default -> fixture.advanceTime(SESSION_TIMEOUT.dividedBy(3));
      }
      for (int probe = 0; probe < 20; probe++) {
        List<LeaderLatch> now = leaders(latches);
        assertTrue(now.size() <= 1, "step " + step + ": two leaders at once: " + now);
      }
    }
    clients.forEach(c -> fixture.reconnect(c.session()));
    // Liveness once the faults stop: one leader, and each participant in line exactly once (a node
    // left behind on a live session would block the line for that session's life).
    await().atMost(Duration.ofSeconds(20)).ignoreExceptions().until(() -> leaders(latches).size() == 1
        && latches.get(0).participants().stream().map(Participant::id).sorted().toList()
            .equals(List.of("p0", "p1", "p2", "p3")));
  }

  @Test
  void awaitTimesOutWhileAnotherParticipantLeads() throws Exception {
    LeaderLatch a = latch(newClient(), "a");
    assertTrue(a.await(Duration.ofSeconds(10)));
    LeaderLatch b = latch(newClient(), "b");
    assertFalse(b.await(Duration.ofMillis(20)));
    assertTrue(a.hasLeadership());
  }

  @Test
  void startingTwiceIsRefusedAndQueuesOnlyOneNode() throws Exception {
    LeaderLatch a = latch(newClient(), "a");
    assertThrows(IllegalStateException.class, a::start);
    assertTrue(a.await(Duration.ofSeconds(10)));
    assertEquals(1, a.participants().size());
  }

  @Test
  void closeDeletesOnlyOurNodeAndIsIdempotent() throws Exception {
    LeaderLatch a = latch(newClient(), "a");
    LeaderLatch b = latch(newClient(), "b");
    await().until(() -> b.participants().size() == 2);
    b.close();
    b.close();
    await().until(() -> a.participants().stream().map(Participant::id).toList().equals(List.of("a")));
    assertTrue(a.hasLeadership());
    assertThrows(IllegalStateException.class, () -> b.await(Duration.ZERO));
  }

  /** Records one latch's listener calls, in the order the latch made them. */
  private static final class TransitionLog implements LeaderLatchListener {
    final List<String> events = new CopyOnWriteArrayList<>();

    @Override
    public void isLeader(LeadershipTerm term) {
      events.add("isLeader " + term.fencingToken().value());
    }

    @Override
    public void notLeader(LeadershipTerm term) {
      events.add("notLeader " + term.fencingToken().value());
    }

    /** Fails unless calls alternate isLeader/notLeader, starting with isLeader, each pair one term. */
    void assertAlternates() {
      List<String> copy = List.copyOf(events);
      for (int i = 0; i < copy.size(); i++) {
        String expected = i % 2 == 0 ? "isLeader " : "notLeader ";
        assertTrue(copy.get(i).startsWith(expected), "call " + i + " should be " + expected + ": " + copy);
        if (i % 2 == 1) {
          assertEquals(copy.get(i - 1).substring("isLeader ".length()),
              copy.get(i).substring("notLeader ".length()), "a notLeader ends the term just gained: " + copy);
        }
      }
    }

    boolean lastSaysLeader() {
      return !events.isEmpty() && events.get(events.size() - 1).startsWith("isLeader ");
    }
  }

  /**
   * How many disconnect/reconnect flaps a test runs: {@code inProcess} where the service is in this
   * JVM (a fixture on virtual time), a fifth of it against a real server, where every reconnect
   * costs a real client reconnect (about a second). The property {@code cohort.suite.flapRounds}
   * overrides both.
   */
  private int flapRounds(int inProcess) {
    int byFixture = fixture.supports(FaultControl.VIRTUAL_TIME) ? inProcess : Math.max(5, inProcess / 5);
    return Integer.getInteger("cohort.suite.flapRounds", byFixture);
  }

  @Test
  void listenersSeeAlternatingTransitionsAcrossSuspendAndReconnect() throws Exception {
    requireFaults(FaultControl.DISCONNECT, FaultControl.LOSE_REPLY);
    Cohort aClient = newClient();
    LeaderLatch a = LeaderLatch.builder(aClient, PATH).id("a").build();
    TransitionLog log = new TransitionLog();
    a.addListener(log);
    a.start();
    assertTrue(a.await(Duration.ofSeconds(10)));
    LeaderLatch b = latch(newClient(), "b");
    await().until(() -> b.participants().size() == 2);
    Random random = new Random(7L);
    for (int round = 0; round < flapRounds(60); round++) {
      // Flaps without waiting, so state events, reconnect checks and watch replies interleave.
      switch (random.nextInt(3)) {
        case 0 -> {
          fixture.disconnect(aClient.session());
          fixture.reconnect(aClient.session());
        }
        case 1 -> fixture.loseNextReply(aClient.session());
        default -> {
          fixture.disconnect(aClient.session());
          await().until(() -> aClient.connectionState() == ConnectionState.SUSPENDED);
          fixture.reconnect(aClient.session());
        }
      }
      if (round % 10 == 9) {
        await().until(() -> a.hasLeadership() && log.lastSaysLeader());
      }
    }
    await().until(() -> a.hasLeadership() && log.lastSaysLeader());
    log.assertAlternates();
    assertFalse(b.hasLeadership(), "a never lost its session, so its node kept b waiting");
  }

  @Test
  void keepUntilLostTellsListenersNothingAcrossSuspendAndReconnect() throws Exception {
    requireFaults(FaultControl.DISCONNECT);
    Cohort aClient = newClient();
    LeaderLatch a = LeaderLatch.builder(aClient, PATH).id("a").suspendPolicy(SuspendPolicy.KEEP_UNTIL_LOST).build();
    TransitionLog log = new TransitionLog();
    a.addListener(log);
    a.start();
    assertTrue(a.await(Duration.ofSeconds(10)));
    LeadershipTerm term = a.currentTerm().orElseThrow();
    for (int round = 0; round < flapRounds(20); round++) {
      fixture.disconnect(aClient.session());
      fixture.reconnect(aClient.session());
    }
    await().until(() -> aClient.connectionState() == ConnectionState.RECONNECTED);
    // A later close with NOTIFY_LEADER queues its notLeader behind every call the flaps caused.
    a.close(CloseMode.NOTIFY_LEADER);
    await().until(() -> log.events.size() >= 2);
    assertEquals(List.of("isLeader " + term.fencingToken().value(), "notLeader " + term.fencingToken().value()),
        log.events, "the session and its node lived throughout: one term, told once");
  }

  /** A listener executor the test drains by hand, to hold connection events back. */
  private static final class HeldExecutor implements Executor {
    private final Queue<Runnable> tasks = new ConcurrentLinkedQueue<>();

    @Override
    public void execute(Runnable task) {
      tasks.add(task);
    }

    void runAll() {
      Runnable next;
      while ((next = tasks.poll()) != null) {
        next.run();
      }
    }
  }

  @Test
  void aTermGainedAfterReconnectIsNotEndedByTheSuspensionBeforeIt() throws Exception {
    requireFaults(FaultControl.DISCONNECT);
    LeaderLatch b = latch(newClient(), "b");
    assertTrue(b.await(Duration.ofSeconds(10)));
    HeldExecutor held = new HeldExecutor();
    Cohort aClient = newClient(Cohort.builder(fixture.backend()).listenerExecutor(held));
    LeaderLatch a = LeaderLatch.builder(aClient, PATH).id("a").build();
    TransitionLog log = new TransitionLog();
    a.addListener(log);
    a.start();
    await().until(() -> b.participants().size() == 2);
    held.runAll();

    // SUSPENDED and RECONNECTED wait in a's listener queue while b's exit makes a first in line.
    fixture.disconnect(aClient.session());
    fixture.reconnect(aClient.session());
    await().until(() -> aClient.connectionState() == ConnectionState.RECONNECTED);
    b.close();
    await().until(() -> a.participants().size() == 1);

    await().until(() -> {
      held.runAll();
      return a.hasLeadership() && log.lastSaysLeader();
    });
    LeadershipTerm term = a.currentTerm().orElseThrow();
    // Let every check the reconnect started finish, then drain what they queued.
    await().until(() -> {
      held.runAll();
      return a.participants().size() == 1 && held.tasks.isEmpty();
    });
    held.runAll();
    assertEquals(List.of("isLeader " + term.fencingToken().value()), log.events,
        "a gained leadership once, after the reconnect, and never lost it");
    assertTrue(a.hasLeadership());
  }

  @Test
  void leadershipAsyncCompletesWithTheTermWhenTheParticipantLeads() throws Exception {
    LeaderLatch a = latch(newClient(), "a");
    assertTrue(a.await(Duration.ofSeconds(10)));
    assertEquals(a.currentTerm().orElseThrow(), a.leadershipAsync().getNow(null), "done at once for a leader");
    LeaderLatch b = latch(newClient(), "b");
    CompletableFuture<LeadershipTerm> bLeads = b.leadershipAsync();
    awaitChildren(PATH, 2);
    assertFalse(bLeads.isDone());

    a.close();

    LeadershipTerm term = bLeads.get(10, TimeUnit.SECONDS);
    assertEquals("b", term.participantId());
    assertEquals(b.currentTerm().orElseThrow(), term);
  }

  @Test
  void cancellingLeadershipAsyncWithdrawsFromTheElectionAndDeletesTheNode() throws Exception {
    LeaderLatch a = latch(newClient(), "a");
    assertTrue(a.await(Duration.ofSeconds(10)));
    LeaderLatch b = latch(newClient(), "b");
    CompletableFuture<LeadershipTerm> bLeads = b.leadershipAsync();
    awaitChildren(PATH, 2);
    String bNode = b.ownedNodePath().orElseThrow();

    assertTrue(bLeads.cancel(true));

    await().until(() -> !exists(bNode));
    awaitChildren(PATH, 1);
    assertThrows(IllegalStateException.class, () -> b.await(Duration.ZERO), "b left the election");
    a.close();
    awaitChildren(PATH, 0);
    assertFalse(b.hasLeadership());
  }

  @Test
  void leadershipAsyncWithATimeoutGivesUpOnTheClientsClockAndDeletesTheNode() throws Exception {
    requireFaults(FaultControl.VIRTUAL_TIME);
    LeaderLatch a = latch(newClient(), "a");
    assertTrue(a.await(Duration.ofSeconds(10)));
    LeaderLatch b = latch(newClient(), "b");
    CompletableFuture<LeadershipTerm> bLeads = b.leadershipAsync(Duration.ofSeconds(5));
    awaitChildren(PATH, 2);
    assertFalse(bLeads.isDone());

    fixture.advanceTime(Duration.ofSeconds(6));

    ExecutionException failed = assertThrows(ExecutionException.class, () -> bLeads.get(10, TimeUnit.SECONDS));
    assertTrue(failed.getCause() instanceof TimeoutException, "timed out: " + failed.getCause());
    awaitChildren(PATH, 1);
    assertTrue(a.hasLeadership());
  }

  @Test
  void leadershipAsyncFailsWhenTheLatchClosesAndIsRefusedBeforeStart() throws Exception {
    Cohort client = newClient();
    LeaderLatch idle = LeaderLatch.builder(client, PATH).id("idle").build();
    assertThrows(IllegalStateException.class, idle::leadershipAsync);
    LeaderLatch a = latch(newClient(), "a");
    assertTrue(a.await(Duration.ofSeconds(10)));
    LeaderLatch b = latch(client, "b");
    CompletableFuture<LeadershipTerm> bLeads = b.leadershipAsync();
    b.close();
    ExecutionException failed = assertThrows(ExecutionException.class, () -> bLeads.get(10, TimeUnit.SECONDS));
    assertTrue(failed.getCause() instanceof IllegalStateException, "closed: " + failed.getCause());
    assertThrows(IllegalStateException.class, b::leadershipAsync);
    assertThrows(NullPointerException.class, () -> a.leadershipAsync(null));
  }
}
