package dev.cohort.recipes.leader;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.mockito.ArgumentMatchers.any;
import static org.mockito.ArgumentMatchers.eq;
import static org.mockito.Mockito.timeout;
import static org.mockito.Mockito.times;
import static org.mockito.Mockito.verify;

import dev.cohort.inmemory.InMemoryFixture;
import dev.cohort.recipes.Cohort;
import dev.cohort.recipes.ForcedReplies;
import dev.cohort.recipes.NodeNames;
import dev.cohort.spi.Session;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * How leadership passes when a participant leaves, watched on the requests one participant's
 * session receives: a Mockito mock that sends every call on to a real in-memory session, so the
 * tree and the watches are the real ones and the test can see which requests were sent.
 */
class LeaderLatchHandoverTest {

  private static final String NAMESPACE = "/handover";
  private static final String PATH = "/election";
  private static final String FULL = NAMESPACE + PATH;

  private final InMemoryFixture fixture = new InMemoryFixture();
  private final List<Cohort> clients = new ArrayList<>();
  private final List<LeaderLatch> latches = new ArrayList<>();

  @AfterEach
  void close() {
    latches.forEach(LeaderLatch::close);
    clients.forEach(Cohort::close);
    fixture.close();
  }

  private LeaderLatch latch(Cohort client, String id) {
    clients.add(client);
    LeaderLatch latch = LeaderLatch.builder(client, PATH).id(id).build();
    latches.add(latch);
    latch.start();
    return latch;
  }

  private Cohort plainClient() throws InterruptedException {
    Cohort client = Cohort.builder(fixture.backend()).namespace(NAMESPACE).build();
    client.start();
    return client;
  }

  private Cohort clientOn(Session session) throws InterruptedException {
    return ForcedReplies.clientOn(fixture, session, b -> b.namespace(NAMESPACE));
  }

  /** The full paths of the participants' nodes, in line order. */
  private List<String> line(int expected) throws Exception {
    Session observer = fixture.openSession();
    try {
      await().until(() -> observer.getChildren(FULL).get().names().size() == expected);
      return NodeNames.sortBySequence(observer.getChildren(FULL).get().names()).stream()
          .map(name -> FULL + "/" + name).toList();
    } finally {
      observer.close();
    }
  }

  @Test
  void whenTheLeaderLeavesItsSuccessorLeadsOnTheWatchEventWithoutListingAgain() throws Exception {
    LeaderLatch a = latch(plainClient(), "a");
    assertTrue(a.await(Duration.ofSeconds(10)));
    Session bSession = ForcedReplies.over(fixture.openSession());
    LeaderLatch b = latch(clientOn(bSession), "b");
    List<String> line = line(2);
    verify(bSession, timeout(10_000)).getData(eq(line.get(0)), any()); // b waits on a

    a.close();

    assertTrue(b.await(Duration.ofSeconds(10)));
    assertFalse(a.hasLeadership());
    verify(bSession, times(1)).getChildren(eq(FULL), any());
  }

  @Test
  void whenAParticipantThatDoesNotLeadLeavesItsSuccessorListsAndWaitsForTheLeader() throws Exception {
    LeaderLatch a = latch(plainClient(), "a");
    assertTrue(a.await(Duration.ofSeconds(10)));
    LeaderLatch b = latch(plainClient(), "b");
    line(2);
    Session cSession = ForcedReplies.over(fixture.openSession());
    LeaderLatch c = latch(clientOn(cSession), "c");
    List<String> line = line(3);
    verify(cSession, timeout(10_000)).getData(eq(line.get(1)), any()); // c waits on b

    b.close();

    // c lists again and, seeing a still in line, waits on a
    verify(cSession, timeout(10_000)).getData(eq(line.get(0)), any());
    verify(cSession, times(2)).getChildren(eq(FULL), any());
    assertFalse(c.hasLeadership(), "c must not lead while a does");
    assertTrue(a.hasLeadership());

    a.close();
    assertTrue(c.await(Duration.ofSeconds(10)));
    assertEquals("c", c.leader().orElseThrow().id());
  }
}
