package dev.cohort.replicated;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The simulated network's session links on their own, on virtual time: a delay holds every message
 * back by exactly that long, and order is kept like TCP's even when the delay changes mid-flight.
 */
class SessionLinkDelayNetworkTest {
  private static final int REPLICA = 1;
  private static final int SESSION = SimNetwork.FIRST_SESSION_ENDPOINT;
  private static final long MS = 1_000_000L;

  private final SimLoop loop = new SimLoop();
  private final SimNetwork network = new SimNetwork(loop, new Random(1));
  private final List<String> arrived = new ArrayList<>();
  private final List<Long> arrivedAt = new ArrayList<>();

  private void send(int from, int to, String message) {
    network.send(from, to, message, m -> {
      arrived.add(m);
      arrivedAt.add(loop.nowNanos());
    });
  }

  @Test
  void delayedSessionLinkHoldsEachMessageBackByTheDelayInBothDirections() {
    network.setSessionLinkDelay(SESSION, REPLICA, 300 * MS);
    send(SESSION, REPLICA, "request");
    loop.runFor(100 * MS);
    send(REPLICA, SESSION, "event");
    loop.runFor(199 * MS);
    assertEquals(List.of(), arrived, "nothing arrives before its delay is up");
    loop.runFor(1 * MS);
    assertEquals(List.of("request"), arrived);
    loop.runFor(1_000 * MS);
    assertEquals(List.of("request", "event"), arrived);
    assertEquals(List.of(300 * MS, 400 * MS), arrivedAt, "each message arrives exactly its delay after it was sent");
  }

  @Test
  void shorterDelayMidFlightNeverLetsALaterMessageOvertake() {
    network.setSessionLinkDelay(SESSION, REPLICA, 800 * MS);
    send(REPLICA, SESSION, "reply-1");
    send(REPLICA, SESSION, "event-2");
    network.setSessionLinkDelay(SESSION, REPLICA, 0);
    send(REPLICA, SESSION, "reply-3");
    network.setSessionLinkDelay(SESSION, REPLICA, 50 * MS);
    send(REPLICA, SESSION, "reply-4");
    loop.runFor(2_000 * MS);
    assertEquals(List.of("reply-1", "event-2", "reply-3", "reply-4"), arrived);
    for (int i = 1; i < arrivedAt.size(); i++) {
      assertTrue(arrivedAt.get(i - 1) <= arrivedAt.get(i), "arrival times are ordered: " + arrivedAt);
    }
  }

  @Test
  void promptSessionLinkAfterADelayedOneStaysOrderedAndPrompt() {
    network.setSessionLinkDelay(SESSION, REPLICA, 200 * MS);
    send(SESSION, REPLICA, "slow");
    loop.runFor(300 * MS);
    network.setSessionLinkDelay(SESSION, REPLICA, 0);
    send(SESSION, REPLICA, "prompt");
    loop.runFor(0);
    assertEquals(List.of("slow", "prompt"), arrived);
    assertEquals(List.of(200 * MS, 300 * MS), arrivedAt, "with the delay removed, messages go at once again");
  }

  @Test
  void cutSessionLinkLosesWhatIsInFlightAndDelaysAreLinkLocal() {
    int other = 2;
    network.setSessionLinkDelay(SESSION, REPLICA, 100 * MS);
    send(SESSION, REPLICA, "lost");
    send(SESSION, other, "other-replica");
    network.cutBoth(SESSION, REPLICA);
    loop.runFor(500 * MS);
    assertEquals(List.of("other-replica"), arrived, "the delay is per link; a cut link delivers nothing");
    assertEquals(List.of(0L), arrivedAt);
    assertEquals(0L, network.sessionLinkDelay(SESSION, other));
    assertEquals(100 * MS, network.sessionLinkDelay(SESSION, REPLICA));
    network.healAll();
    assertEquals(0L, network.sessionLinkDelay(SESSION, REPLICA), "healing removes session link delays");
  }
}
