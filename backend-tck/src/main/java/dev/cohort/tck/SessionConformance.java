package dev.cohort.tck;

import static dev.cohort.spi.WatchEvent.Type.NODE_CHILDREN_CHANGED;
import static dev.cohort.spi.WatchEvent.Type.NODE_CREATED;
import static dev.cohort.spi.WatchEvent.Type.NODE_DATA_CHANGED;
import static dev.cohort.spi.WatchEvent.Type.NODE_DELETED;
import static dev.cohort.tck.Requirements.requireFault;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cohort.spi.CreateMode;
import dev.cohort.spi.ErrorCode;
import dev.cohort.spi.Op;
import dev.cohort.spi.Session;
import dev.cohort.spi.SessionState;
import dev.cohort.spi.WatchEvent;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * The session lifecycle (checklist lines 13 and 26-29): states and their listeners, close, expiry
 * decided by the service, disconnect and reconnect with watches re-armed, and a lost reply whose
 * write was applied. Tests that need a fault control skip, naming it, when the fixture lacks it.
 */
public abstract class SessionConformance extends ConformanceSuite {

  private static WatchEvent event(WatchEvent.Type type, String path) {
    return new WatchEvent(type, path);
  }

  private static long occurrences(List<SessionState> states, SessionState state) {
    return states.stream().filter(s -> s == state).count();
  }

  // ------------------------------------------------------------------ opening and closing

  @Test
  public void newSessionIsConnectedWithANonZeroId() {
    Session s = open();
    assertEquals(SessionState.CONNECTED, s.state());
    assertNotEquals(0, s.id());
    assertTrue(s.sessionTimeout().compareTo(Duration.ZERO) > 0, "granted timeout is positive");
  }

  @Test
  public void everySessionGetsItsOwnId() {
    Set<Long> ids = new HashSet<>();
    for (int i = 0; i < 5; i++) {
      assertTrue(ids.add(open().id()));
    }
  }

  @Test
  public void longerRequestedTimeoutNeverGetsAShorterGrant() {
    Duration previous = Duration.ZERO;
    for (Duration asked : List.of(Duration.ofSeconds(1), Duration.ofSeconds(5), Duration.ofSeconds(15), Duration.ofSeconds(60))) {
      Duration granted = open(asked).sessionTimeout();
      assertTrue(granted.compareTo(previous) >= 0, "asked " + asked + ", granted " + granted + " after " + previous);
      previous = granted;
    }
  }

  @Test
  public void closeMakesTheSessionClosedAndTellsEachListenerOnce() {
    Session s = open();
    RecordingStateListener listener = new RecordingStateListener();
    s.addStateListener(listener);
    s.addStateListener(listener);
    s.close();
    assertEquals(SessionState.CLOSED, s.state());
    waitFor().until(() -> listener.states().contains(SessionState.CLOSED));
    s.close();
    assertEquals(List.of(SessionState.CLOSED), listener.states(), "once, even if added twice and closed twice");
  }

  @Test
  public void removedStateListenerIsNotTold() {
    Session s = open();
    RecordingStateListener kept = new RecordingStateListener();
    RecordingStateListener removed = new RecordingStateListener();
    s.addStateListener(removed);
    s.addStateListener(kept);
    s.removeStateListener(removed);
    s.removeStateListener(new RecordingStateListener());
    s.close();
    waitFor().until(() -> kept.states().equals(List.of(SessionState.CLOSED)));
    assertEquals(List.of(), removed.states());
  }

  @Test
  public void closingDeletesTheSessionsEphemeralsButNotItsPersistentNodes() {
    Session s = open();
    Session other = open();
    create(s, "/p", "");
    create(s, "/p/e", "", CreateMode.EPHEMERAL);
    get(s.create("/p/s-", bytes(""), CreateMode.EPHEMERAL_SEQUENTIAL));
    s.close();
    get(other.sync("/p"));
    assertEquals(List.of(), get(other.getChildren("/p")).names());
    assertNotNull(get(other.exists("/p")));
  }

  // ------------------------------------------------------------------ expiry

  @Test
  public void expiryDeletesTheSessionsEphemeralsForOtherSessions() {
    requireFault(fixture, FaultControl.EXPIRE);
    Session s = open();
    Session other = open();
    create(s, "/p", "");
    create(s, "/p/e", "", CreateMode.EPHEMERAL);
    get(other.sync("/p"));
    create(other, "/p/mine", "", CreateMode.EPHEMERAL);
    fixture.expire(s);
    waitFor().untilAsserted(() -> {
      get(other.sync("/p"));
      assertEquals(List.of("mine"), get(other.getChildren("/p")).names());
    });
    assertNotNull(get(other.exists("/p")), "persistent nodes outlive the session");
  }

  @Test
  public void expiryFiresTheWatchesOfOtherSessions() {
    requireFault(fixture, FaultControl.EXPIRE);
    Session s = open();
    Session other = open();
    create(s, "/p", "");
    create(s, "/p/e", "", CreateMode.EPHEMERAL);
    RecordingWatcher node = new RecordingWatcher();
    RecordingWatcher parent = new RecordingWatcher();
    get(other.sync("/p"));
    get(other.getData("/p/e", node));
    get(other.getChildren("/p", parent));
    fixture.expire(s);
    WatchConformance.assertEvents(node, other, List.of(event(NODE_DELETED, "/p/e")), "/p/e");
    WatchConformance.assertEvents(parent, other, List.of(event(NODE_CHILDREN_CHANGED, "/p")), "/p");
  }

  @Test
  public void expiredSessionSeesExpiredOnceAndEveryOperationFailsWithSessionExpired() {
    requireFault(fixture, FaultControl.EXPIRE);
    Session s = open();
    create(s, "/a", "");
    RecordingStateListener listener = new RecordingStateListener();
    s.addStateListener(listener);
    fixture.expire(s);
    awaitState(s, SessionState.EXPIRED);
    waitFor().until(() -> listener.states().contains(SessionState.EXPIRED));
    TreeSnapshot before = snapshot();
    assertFails(ErrorCode.SESSION_EXPIRED, s.create("/b", bytes(""), CreateMode.PERSISTENT));
    assertFails(ErrorCode.SESSION_EXPIRED, s.getData("/a"));
    assertFails(ErrorCode.SESSION_EXPIRED, s.exists("/a"));
    assertFails(ErrorCode.SESSION_EXPIRED, s.getChildren("/"));
    assertFails(ErrorCode.SESSION_EXPIRED, s.setData("/a", bytes("x"), -1));
    assertFails(ErrorCode.SESSION_EXPIRED, s.delete("/a", -1));
    assertFails(ErrorCode.SESSION_EXPIRED, s.sync("/a"));
    assertFails(ErrorCode.SESSION_EXPIRED, s.multi(List.of(Op.check("/a", -1))));
    assertEquals(before, snapshot());
    s.close();
    assertEquals(SessionState.EXPIRED, s.state(), "EXPIRED is terminal");
    List<SessionState> states = listener.states();
    assertEquals(1, occurrences(states, SessionState.EXPIRED), states::toString);
    assertEquals(SessionState.EXPIRED, states.get(states.size() - 1), states::toString);
  }

  @Test
  public void disconnectedSessionExpiredByTheServiceLearnsItOnReconnect() {
    requireFault(fixture, FaultControl.DISCONNECT, FaultControl.EXPIRE);
    Session s = open();
    Session other = open();
    create(s, "/e", "", CreateMode.EPHEMERAL);
    RecordingStateListener listener = new RecordingStateListener();
    s.addStateListener(listener);
    fixture.disconnect(s);
    awaitState(s, SessionState.SUSPENDED);
    fixture.expire(s);
    waitFor().untilAsserted(() -> {
      get(other.sync("/e"));
      assertNull(get(other.exists("/e")), "the service deleted the ephemerals at expiry");
    });
    assertEquals(SessionState.SUSPENDED, s.state(), "a client cut off from the service cannot know yet");
    fixture.reconnect(s);
    awaitState(s, SessionState.EXPIRED);
    assertFails(ErrorCode.SESSION_EXPIRED, s.getData("/e"));
    waitFor().until(() -> listener.states().equals(List.of(SessionState.SUSPENDED, SessionState.EXPIRED)));
  }

  // ------------------------------------------------------------------ disconnect and reconnect

  @Test
  public void disconnectedSessionIsSuspendedAndItsOperationsFailWithConnectionLoss() {
    requireFault(fixture, FaultControl.DISCONNECT);
    Session s = open();
    create(s, "/a", "");
    RecordingStateListener listener = new RecordingStateListener();
    s.addStateListener(listener);
    fixture.disconnect(s);
    awaitState(s, SessionState.SUSPENDED);
    TreeSnapshot before = snapshot();
    assertFails(ErrorCode.CONNECTION_LOSS, s.create("/b", bytes(""), CreateMode.PERSISTENT));
    assertFails(ErrorCode.CONNECTION_LOSS, s.setData("/a", bytes("x"), -1));
    assertFails(ErrorCode.CONNECTION_LOSS, s.delete("/a", -1));
    assertFails(ErrorCode.CONNECTION_LOSS, s.getData("/a"));
    assertFails(ErrorCode.CONNECTION_LOSS, s.exists("/a"));
    assertFails(ErrorCode.CONNECTION_LOSS, s.getChildren("/"));
    assertFails(ErrorCode.CONNECTION_LOSS, s.multi(List.of(Op.delete("/a", -1))));
    assertEquals(before, snapshot());
    waitFor().until(() -> listener.states().equals(List.of(SessionState.SUSPENDED)));
  }

  /**
   * ZooKeeper's client checks a path before it looks at its connection: while suspended, an invalid
   * path is INVALID_PATH, a valid one CONNECTION_LOSS, whatever the data's size.
   */
  @Test
  public void whileSuspendedAnInvalidPathIsStillAnInvalidPath() {
    requireFault(fixture, FaultControl.DISCONNECT);
    Session s = open();
    create(s, "/a", "");
    fixture.disconnect(s);
    awaitState(s, SessionState.SUSPENDED);
    byte[] tooLarge = new byte[fixture.maxDataBytes() + 1];
    assertFails(ErrorCode.INVALID_PATH, s.create("a", bytes(""), CreateMode.PERSISTENT));
    assertFails(ErrorCode.INVALID_PATH, s.getData("/a/"));
    assertFails(ErrorCode.INVALID_PATH, s.multi(List.of(Op.check("/a", -1), Op.delete("/a//b", -1))));
    assertFails(ErrorCode.CONNECTION_LOSS, s.setData("/a", tooLarge, -1));
    fixture.reconnect(s);
    awaitState(s, SessionState.RECONNECTED);
    assertEquals("", read(s, "/a"));
  }

  @Test
  public void disconnectedSessionKeepsItsEphemeralsWhileTheServiceKeepsIt() {
    requireFault(fixture, FaultControl.DISCONNECT);
    Session s = open();
    Session other = open();
    create(s, "/e", "", CreateMode.EPHEMERAL);
    fixture.disconnect(s);
    awaitState(s, SessionState.SUSPENDED);
    get(other.sync("/e"));
    assertEquals(s.id(), get(other.exists("/e")).ephemeralOwner());
  }

  @Test
  public void reconnectRestoresTheSameSessionWithItsEphemerals() {
    requireFault(fixture, FaultControl.DISCONNECT);
    Session s = open();
    long id = s.id();
    create(s, "/e", "", CreateMode.EPHEMERAL);
    RecordingStateListener listener = new RecordingStateListener();
    s.addStateListener(listener);
    fixture.disconnect(s);
    awaitState(s, SessionState.SUSPENDED);
    fixture.reconnect(s);
    awaitState(s, SessionState.RECONNECTED);
    assertEquals(id, s.id());
    assertEquals(id, get(s.exists("/e")).ephemeralOwner());
    create(s, "/after", "works");
    waitFor().until(() -> listener.states().equals(List.of(SessionState.SUSPENDED, SessionState.RECONNECTED)));
  }

  @Test
  public void repeatedDisconnectsAreEachReportedInOrder() {
    requireFault(fixture, FaultControl.DISCONNECT);
    Session s = open();
    RecordingStateListener listener = new RecordingStateListener();
    s.addStateListener(listener);
    for (int i = 0; i < 2; i++) {
      fixture.disconnect(s);
      awaitState(s, SessionState.SUSPENDED);
      fixture.reconnect(s);
      awaitState(s, SessionState.RECONNECTED);
    }
    s.close();
    waitFor().until(() -> listener.states().size() == 5);
    assertEquals(List.of(SessionState.SUSPENDED, SessionState.RECONNECTED, SessionState.SUSPENDED,
        SessionState.RECONNECTED, SessionState.CLOSED), listener.states());
  }

  @Test
  public void dataWatchFiresOnReconnectIfItsNodeChangedMeanwhile() {
    requireFault(fixture, FaultControl.DISCONNECT);
    Session s = open();
    Session writer = open();
    create(writer, "/a", "v0");
    RecordingWatcher w = new RecordingWatcher();
    get(s.sync("/a"));
    get(s.getData("/a", w));
    fixture.disconnect(s);
    awaitState(s, SessionState.SUSPENDED);
    get(writer.setData("/a", bytes("v1"), -1));
    get(writer.setData("/a", bytes("v2"), -1));
    assertEquals(List.of(), w.events(), "no events while disconnected");
    fixture.reconnect(s);
    awaitState(s, SessionState.RECONNECTED);
    WatchConformance.assertEvents(w, s, List.of(event(NODE_DATA_CHANGED, "/a")), "/a");
  }

  @Test
  public void dataWatchFiresNodeDeletedOnReconnectIfItsNodeWentMeanwhile() {
    requireFault(fixture, FaultControl.DISCONNECT);
    Session s = open();
    Session writer = open();
    create(writer, "/a", "v0");
    RecordingWatcher w = new RecordingWatcher();
    get(s.sync("/a"));
    get(s.exists("/a", w));
    fixture.disconnect(s);
    awaitState(s, SessionState.SUSPENDED);
    get(writer.delete("/a", -1));
    fixture.reconnect(s);
    awaitState(s, SessionState.RECONNECTED);
    WatchConformance.assertEvents(w, s, List.of(event(NODE_DELETED, "/a")), "/a");
  }

  @Test
  public void existsWatchFiresOnReconnectIfTheNodeWasCreatedMeanwhile() {
    requireFault(fixture, FaultControl.DISCONNECT);
    Session s = open();
    Session writer = open();
    RecordingWatcher w = new RecordingWatcher();
    assertNull(get(s.exists("/a", w)));
    fixture.disconnect(s);
    awaitState(s, SessionState.SUSPENDED);
    create(writer, "/a", "");
    fixture.reconnect(s);
    awaitState(s, SessionState.RECONNECTED);
    WatchConformance.assertEvents(w, s, List.of(event(NODE_CREATED, "/a")), "/a");
  }

  @Test
  public void childWatchFiresOnReconnectIfChildrenChangedMeanwhile() {
    requireFault(fixture, FaultControl.DISCONNECT);
    Session s = open();
    Session writer = open();
    create(writer, "/p", "");
    RecordingWatcher w = new RecordingWatcher();
    get(s.sync("/p"));
    get(s.getChildren("/p", w));
    fixture.disconnect(s);
    awaitState(s, SessionState.SUSPENDED);
    create(writer, "/p/c", "");
    fixture.reconnect(s);
    awaitState(s, SessionState.RECONNECTED);
    WatchConformance.assertEvents(w, s, List.of(event(NODE_CHILDREN_CHANGED, "/p")), "/p");
  }

  @Test
  public void dataWatchFiresDataChangedOnReconnectIfItsNodeWasRecreatedMeanwhile() {
    requireFault(fixture, FaultControl.DISCONNECT);
    Session s = open();
    Session writer = open();
    create(writer, "/a", "first");
    RecordingWatcher w = new RecordingWatcher();
    get(s.sync("/a"));
    get(s.getData("/a", w));
    fixture.disconnect(s);
    awaitState(s, SessionState.SUSPENDED);
    get(writer.delete("/a", -1));
    create(writer, "/a", "second");
    fixture.reconnect(s);
    awaitState(s, SessionState.RECONNECTED);
    // ZooKeeper's SetWatches compares the node's mzxid with the last zxid the client saw
    WatchConformance.assertEvents(w, s, List.of(event(NODE_DATA_CHANGED, "/a")), "/a");
  }

  @Test
  public void childWatchFiresNodeDeletedOnReconnectIfItsNodeWentMeanwhile() {
    requireFault(fixture, FaultControl.DISCONNECT);
    Session s = open();
    Session writer = open();
    create(writer, "/p", "");
    RecordingWatcher w = new RecordingWatcher();
    get(s.sync("/p"));
    get(s.getChildren("/p", w));
    fixture.disconnect(s);
    awaitState(s, SessionState.SUSPENDED);
    get(writer.delete("/p", -1));
    fixture.reconnect(s);
    awaitState(s, SessionState.RECONNECTED);
    WatchConformance.assertEvents(w, s, List.of(event(NODE_DELETED, "/p")), "/p");
  }

  @Test
  public void existsWatchOnAStillMissingNodeStaysArmedAcrossReconnect() {
    requireFault(fixture, FaultControl.DISCONNECT);
    Session s = open();
    Session writer = open();
    RecordingWatcher w = new RecordingWatcher();
    assertNull(get(s.exists("/a", w)));
    fixture.disconnect(s);
    awaitState(s, SessionState.SUSPENDED);
    create(writer, "/unrelated", "");
    fixture.reconnect(s);
    awaitState(s, SessionState.RECONNECTED);
    settle(s, "/a", "/unrelated");
    assertEquals(List.of(), w.events(), "/a is still missing");
    create(writer, "/a", "");
    WatchConformance.assertEvents(w, s, List.of(event(NODE_CREATED, "/a")), "/a");
  }

  @Test
  public void watchOfAnUnchangedNodeStaysArmedAcrossReconnect() {
    requireFault(fixture, FaultControl.DISCONNECT);
    Session s = open();
    Session writer = open();
    create(writer, "/a", "");
    create(writer, "/other", "");
    RecordingWatcher w = new RecordingWatcher();
    get(s.sync("/a"));
    get(s.getData("/a", w));
    fixture.disconnect(s);
    awaitState(s, SessionState.SUSPENDED);
    get(writer.setData("/other", bytes("unrelated"), -1));
    fixture.reconnect(s);
    awaitState(s, SessionState.RECONNECTED);
    settle(s, "/a", "/other");
    assertEquals(List.of(), w.events(), "nothing changed at /a");
    get(writer.setData("/a", bytes("now"), -1));
    WatchConformance.assertEvents(w, s, List.of(event(NODE_DATA_CHANGED, "/a")), "/a");
  }

  // ------------------------------------------------------------------ timeouts on virtual time

  @Test
  public void sessionDisconnectedPastItsTimeoutExpiresAndLearnsItOnReconnect() {
    requireFault(fixture, FaultControl.DISCONNECT, FaultControl.VIRTUAL_TIME);
    Session s = open(Duration.ofSeconds(10));
    Session other = open();
    create(s, "/e", "", CreateMode.EPHEMERAL);
    RecordingWatcher w = new RecordingWatcher();
    get(other.sync("/e"));
    get(other.exists("/e", w));
    fixture.disconnect(s);
    awaitState(s, SessionState.SUSPENDED);
    fixture.advanceTime(s.sessionTimeout().plusSeconds(1));
    WatchConformance.assertEvents(w, other, List.of(event(NODE_DELETED, "/e")), "/e");
    assertNull(get(other.exists("/e")));
    fixture.reconnect(s);
    awaitState(s, SessionState.EXPIRED);
    assertFails(ErrorCode.SESSION_EXPIRED, s.exists("/e"));
  }

  @Test
  public void sessionReconnectingWithinItsTimeoutKeepsItsEphemerals() {
    requireFault(fixture, FaultControl.DISCONNECT, FaultControl.VIRTUAL_TIME);
    Session s = open(Duration.ofSeconds(10));
    create(s, "/e", "", CreateMode.EPHEMERAL);
    fixture.disconnect(s);
    awaitState(s, SessionState.SUSPENDED);
    fixture.advanceTime(s.sessionTimeout().dividedBy(2));
    fixture.reconnect(s);
    awaitState(s, SessionState.RECONNECTED);
    assertEquals(s.id(), get(s.exists("/e")).ephemeralOwner());
  }

  @Test
  public void connectedSessionDoesNotExpireWhenTimePasses() {
    requireFault(fixture, FaultControl.VIRTUAL_TIME);
    Session s = open(Duration.ofSeconds(10));
    create(s, "/e", "", CreateMode.EPHEMERAL);
    fixture.advanceTime(s.sessionTimeout().multipliedBy(5));
    assertEquals(SessionState.CONNECTED, s.state());
    assertEquals(s.id(), get(s.exists("/e")).ephemeralOwner());
  }

  // ------------------------------------------------------------------ lost replies

  @Test
  public void writeWhoseReplyWasLostWasAppliedThoughTheCallerSawConnectionLoss() {
    requireFault(fixture, FaultControl.LOSE_REPLY);
    Session s = open();
    Session other = open();
    fixture.loseNextReply(s);
    assertFails(ErrorCode.CONNECTION_LOSS, s.create("/applied", bytes("yes"), CreateMode.PERSISTENT));
    get(other.sync("/applied"));
    assertEquals("yes", read(other, "/applied"));
    awaitState(s, SessionState.RECONNECTED);
    assertFails(ErrorCode.NODE_EXISTS, s.create("/applied", bytes("again"), CreateMode.PERSISTENT));
  }

  @Test
  public void lostReplySuspendsThenReconnectsTheSameSession() {
    requireFault(fixture, FaultControl.LOSE_REPLY);
    Session s = open();
    long id = s.id();
    create(s, "/a", "");
    RecordingStateListener listener = new RecordingStateListener();
    s.addStateListener(listener);
    fixture.loseNextReply(s);
    assertFails(ErrorCode.CONNECTION_LOSS, s.setData("/a", bytes("x"), 0));
    awaitState(s, SessionState.RECONNECTED);
    assertEquals(id, s.id());
    assertEquals(1, get(s.exists("/a")).version(), "the conditional write took effect once");
    waitFor().until(() -> listener.states().equals(List.of(SessionState.SUSPENDED, SessionState.RECONNECTED)));
  }
}
