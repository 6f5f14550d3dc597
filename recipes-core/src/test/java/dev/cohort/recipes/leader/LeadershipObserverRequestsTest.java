package dev.cohort.recipes.leader;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.mockito.Mockito.mockingDetails;

import dev.cohort.inmemory.InMemoryFixture;
import dev.cohort.recipes.Cohort;
import dev.cohort.recipes.ForcedReplies;
import dev.cohort.spi.Session;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * What a {@link LeadershipObserver} costs the service, counted on the requests its session
 * receives (a Mockito mock sending every call on to a real in-memory session).
 */
class LeadershipObserverRequestsTest {

  private static final String NAMESPACE = "/observed";
  private static final String PATH = "/election";
  private static final Set<String> REQUESTS = Set.of("getChildren", "getData", "exists", "create", "delete",
      "setData", "multi", "removeWatches");

  private final InMemoryFixture fixture = new InMemoryFixture();
  private final List<AutoCloseable> closeables = new ArrayList<>();

  @AfterEach
  void close() throws Exception {
    for (int i = closeables.size() - 1; i >= 0; i--) {
      closeables.get(i).close();
    }
    fixture.close();
  }

  private Cohort client() throws InterruptedException {
    Cohort client = Cohort.builder(fixture.backend()).namespace(NAMESPACE).build();
    client.start();
    closeables.add(client);
    return client;
  }

  private LeaderLatch latch(String id) throws InterruptedException {
    LeaderLatch latch = LeaderLatch.builder(client(), PATH).id(id).build();
    closeables.add(latch);
    latch.start();
    return latch;
  }

  private static long requests(Session session) {
    return mockingDetails(session).getInvocations().stream()
        .filter(i -> REQUESTS.contains(i.getMethod().getName())).count();
  }

  @Test
  void aChangeOfLeaderCostsOneEventAndTwoReadsAndAJoinBehindCostsNothing() throws Exception {
    Session session = ForcedReplies.over(fixture.openSession());
    Cohort observerClient = ForcedReplies.clientOn(fixture, session, b -> b.namespace(NAMESPACE));
    closeables.add(observerClient);
    List<Optional<LeadershipTerm>> reports = new CopyOnWriteArrayList<>();
    LeaderLatch a = latch("a");
    assertTrue(a.await(Duration.ofSeconds(10)));
    LeadershipObserver observer = LeadershipObserver.builder(observerClient, PATH).build();
    closeables.add(observer);
    observer.addListener(reports::add);
    observer.start();
    await().until(() -> reports.size() == 1);
    assertEquals(2, requests(session), "the first read: a listing and the leader's data");

    List<LeaderLatch> behind = new ArrayList<>();
    for (int i = 0; i < 5; i++) {
      behind.add(latch("p" + i));
    }
    await().until(() -> a.participants().size() == 6);
    assertEquals(2, requests(session), "participants joining behind the leader cost the observer nothing");

    for (int round = 0; round < 3; round++) {
      int change = round;
      long before = requests(session);
      long wakeups = observer.wakeups();
      LeaderLatch leader = change == 0 ? a : behind.get(change - 1);
      leader.close();
      String next = "p" + change;
      await().until(() -> reports.size() == change + 2
          && reports.get(change + 1).orElseThrow().participantId().equals(next));
      assertEquals(2, requests(session) - before, "change " + change + ": one listing and one read");
      assertEquals(1, observer.wakeups() - wakeups, "change " + change + ": one watch event");
    }
  }
}
