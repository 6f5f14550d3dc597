package dev.cohort.replicated.recipes;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cohort.recipes.Cohort;
import dev.cohort.recipes.leader.LeaderLatch;
import dev.cohort.recipes.leader.LeaderLatchListener;
import dev.cohort.recipes.leader.LeaderLatchSuite;
import dev.cohort.recipes.leader.LeadershipTerm;
import dev.cohort.replicated.ReplicatedFaults;
import dev.cohort.tck.BackendFixture;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** The leader latch suite on three replicas, and the latch under the replicated backend's own faults. */
class ReplicatedLeaderLatchTest extends LeaderLatchSuite {
  private static final String ELECTION = "/election/replicated";

  @Override
  protected BackendFixture newFixture() {
    return new ReplicatedRecipeFixture();
  }

  @Override
  protected OptionalLong watchEventsDelivered() {
    return OptionalLong.of(((ReplicatedRecipeFixture) fixture).backend().watchEventsDelivered());
  }

  private ReplicatedFaults faults() {
    return ((ReplicatedRecipeFixture) fixture).backend().faults();
  }

  /**
   * The terms the latches report, checked as they arrive: a new term's token is above every term
   * reported before it, and a term belongs to one participant. (The testing module's
   * LeadershipHistory cannot be used here: that module depends on this one.)
   */
  private static final class Terms {
    private final List<String> violations = new ArrayList<>();
    private final Map<Long, String> owners = new HashMap<>();
    private long newest;

    synchronized void elected(LeadershipTerm term) {
      long token = term.fencingToken().value();
      String owner = owners.putIfAbsent(token, term.participantId());
      if (owner != null && !owner.equals(term.participantId())) {
        violations.add(term.participantId() + " claimed term " + token + " of " + owner);
      } else if (owner == null && token <= newest) {
        violations.add(term.participantId() + " began term " + token + ", not above " + newest);
      }
      newest = Math.max(newest, token);
    }

    synchronized int terms() {
      return owners.size();
    }

    synchronized List<String> violations() {
      return List.copyOf(violations);
    }
  }

  private static LeaderLatch latch(Cohort client, String id, Terms history) {
    LeaderLatch latch = LeaderLatch.builder(client, ELECTION).id(id).build();
    latch.addListener(new LeaderLatchListener() {
      @Override
      public void isLeader(LeadershipTerm term) {
        history.elected(term);
      }

      @Override
      public void notLeader(LeadershipTerm term) {
      }
    });
    latch.start();
    return latch;
  }

  private static List<LeaderLatch> leaders(List<LeaderLatch> latches) {
    return latches.stream().filter(LeaderLatch::hasLeadership).toList();
  }

  @Test
  void oneLeaderPerTermThroughALeaderIsolationAndAHandOver() throws Exception {
    Terms history = new Terms();
    AtomicInteger twoLeadersSeen = new AtomicInteger();
    List<Cohort> clients = new ArrayList<>();
    List<LeaderLatch> latches = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      clients.add(newClient());
      latches.add(latch(clients.get(i), "p" + i, history));
    }
    await().until(() -> leaders(latches).size() == 1);
    LeaderLatch first = leaders(latches).get(0);
    LeadershipTerm firstTerm = first.currentTerm().orElseThrow();

    int isolated = faults().isolateLeader();
    await().atMost(Duration.ofSeconds(20))
        .until(() -> faults().leader().isPresent() && faults().leader().getAsInt() != isolated);
    // The sessions attached to the cut-off replica move to the majority side and keep their nodes.
    await().atMost(Duration.ofSeconds(20)).until(() -> {
      if (leaders(latches).size() > 1) {
        twoLeadersSeen.incrementAndGet();
      }
      return clients.stream().allMatch(c -> c.session().state().isConnected() && faults().replicaOf(c.session()) != isolated);
    });
    faults().heal();
    await().atMost(Duration.ofSeconds(20)).until(() -> leaders(latches).size() == 1);
    LeaderLatch afterIsolation = leaders(latches).get(0);
    assertEquals(first.id(), afterIsolation.id(), "no session ended, so the same participant leads");
    assertEquals(firstTerm.fencingToken(), afterIsolation.currentTerm().orElseThrow().fencingToken(),
        "the same term (same token) survives the isolation of the replica that led");

    int leaderIndex = latches.indexOf(afterIsolation);
    clients.get(leaderIndex).close();
    await().atMost(Duration.ofSeconds(20)).until(() -> leaders(latches).size() == 1
        && !leaders(latches).get(0).id().equals(first.id()));
    LeadershipTerm successor = leaders(latches).get(0).currentTerm().orElseThrow();
    assertTrue(successor.fencingToken().isNewerThan(firstTerm.fencingToken()));
    assertEquals(List.of(), history.violations());
    assertEquals(0, twoLeadersSeen.get(), "two latches reported leadership at once while every session lived");
    assertTrue(history.terms() >= 2, "terms recorded: " + history.terms());
  }
}
