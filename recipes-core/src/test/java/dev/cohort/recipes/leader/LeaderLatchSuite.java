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
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
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
    Set<Long> termsSeen = new HashSet<>();
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
        now.forEach(l -> l.currentTerm().ifPresent(t -> termsSeen.add(t.fencingToken().value())));
      }
    }
    clients.forEach(c -> fixture.reconnect(c.session()));
    await().atMost(Duration.ofSeconds(20)).until(() -> leaders(latches).size() == 1);
    assertFalse(termsSeen.isEmpty(), "the run never had a leader: it checked nothing");
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
}
