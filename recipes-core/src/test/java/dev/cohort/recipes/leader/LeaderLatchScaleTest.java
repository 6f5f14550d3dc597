package dev.cohort.recipes.leader;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.mockito.Mockito.mockingDetails;

import dev.cohort.inmemory.InMemoryFixture;
import dev.cohort.recipes.Cohort;
import dev.cohort.recipes.ForcedReplies;
import dev.cohort.spi.Session;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * What a change of leader costs, counted, with 4 and with 1,000 participants: the requests every
 * session sends (each a Mockito spy over a real in-memory session), by kind, and the watch events
 * that wake a participant. A handoff is: the leader closes its latch, the next in line leads, and
 * the old leader joins again with a new latch at the back. Counts, not times.
 */
class LeaderLatchScaleTest {

  private static final String PATH = "/scale-leader";
  private static final Set<String> REQUESTS = Set.of("getChildren", "getData", "exists", "create", "delete",
      "setData", "sync", "multi", "addWatch", "removeWatches");
  private static final int SESSIONS = 4;
  private static final int HANDOFFS = 20;

  private final InMemoryFixture fixture = new InMemoryFixture();
  private final List<Cohort> clients = new ArrayList<>();
  private final List<LeaderLatch> everyLatch = new ArrayList<>();

  @AfterEach
  void close() {
    everyLatch.forEach(LeaderLatch::close);
    clients.forEach(Cohort::close);
    fixture.close();
  }

  private static Map<String, Long> requests(List<Session> sessions) {
    return sessions.stream().flatMap(s -> mockingDetails(s).getInvocations().stream())
        .map(i -> i.getMethod().getName()).filter(REQUESTS::contains)
        .collect(Collectors.groupingBy(name -> name, Collectors.counting()));
  }

  private static Map<String, Long> minus(Map<String, Long> after, Map<String, Long> before) {
    return after.entrySet().stream().filter(e -> e.getValue() - before.getOrDefault(e.getKey(), 0L) != 0)
        .collect(Collectors.toMap(Map.Entry::getKey, e -> e.getValue() - before.getOrDefault(e.getKey(), 0L)));
  }

  private record Cost(Map<String, Long> requests, long wakeups) {}

  private LeaderLatch join(Cohort client) {
    LeaderLatch latch = LeaderLatch.builder(client, PATH).build();
    everyLatch.add(latch);
    latch.start();
    return latch;
  }

  private long wakeups() {
    return everyLatch.stream().mapToLong(LeaderLatch::wakeups).sum();
  }

  /** The one latch that leads, once every other participant waits on its watch. */
  private static LeaderLatch settled(List<LeaderLatch> latches, long queuedNodes, Session observer) {
    await().pollInterval(Duration.ofMillis(1)).atMost(Duration.ofSeconds(60)).until(() ->
        latches.stream().filter(LeaderLatch::hasLeadership).count() == 1
            && latches.stream().allMatch(l -> l.ownedNodePath().isPresent())
            && observer.getChildren("/n" + latches.size() + PATH).join().names().size() == queuedNodes);
    return latches.stream().filter(LeaderLatch::hasLeadership).findFirst().orElseThrow();
  }

  private Cost handoffsAmong(int participants) throws Exception {
    List<Session> sessions = new ArrayList<>();
    List<Cohort> mine = new ArrayList<>();
    for (int i = 0; i < SESSIONS; i++) {
      Session session = ForcedReplies.over(fixture.openSession());
      Cohort client = ForcedReplies.clientOn(fixture, session, b -> b.namespace("/n" + participants));
      clients.add(client);
      mine.add(client);
      sessions.add(session);
    }
    Session observer = fixture.openSession();
    List<LeaderLatch> latches = new ArrayList<>();
    List<Cohort> owners = new ArrayList<>();
    for (int i = 0; i < participants; i++) {
      latches.add(join(mine.get(i % SESSIONS)));
      owners.add(mine.get(i % SESSIONS));
    }
    Map<String, Long> before = null;
    long wakeupsBefore = 0;
    // the first leader met no contention as it took over (see LockScaleTest): one handoff uncounted
    for (int h = -1; h < HANDOFFS; h++) {
      LeaderLatch leader = settled(latches, participants, observer);
      if (h == 0) {
        before = requests(sessions);
        wakeupsBefore = wakeups();
      }
      int at = latches.indexOf(leader);
      leader.close();
      latches.set(at, join(owners.get(at)));
    }
    settled(latches, participants, observer);
    return new Cost(minus(requests(sessions), before), wakeups() - wakeupsBefore);
  }

  @Test
  void aChangeOfLeaderSendsTheSameRequestsAndWakesOneWaiterWithFourOrAThousandParticipants() throws Exception {
    Cost four = handoffsAmong(4);
    Cost thousand = handoffsAmong(1000);

    // Per handoff: the leader's marked release (one multi); the next takes over on that event
    // without a request; the old leader joins again: create, listing, getData watch.
    Map<String, Long> expected = Map.of("multi", (long) HANDOFFS, "create", (long) HANDOFFS,
        "getChildren", (long) HANDOFFS, "getData", (long) HANDOFFS);
    assertEquals(expected, four.requests(), "4 participants");
    assertEquals(expected, thousand.requests(), "1,000 participants");
    assertEquals(HANDOFFS, four.wakeups(), "one participant woken per handoff, 4 participants");
    assertEquals(HANDOFFS, thousand.wakeups(), "one participant woken per handoff, 1,000 participants");
  }
}
