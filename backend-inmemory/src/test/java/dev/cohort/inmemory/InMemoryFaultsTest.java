package dev.cohort.inmemory;

import static dev.cohort.inmemory.InMemoryBackendTest.bytes;
import static dev.cohort.inmemory.InMemoryBackendTest.failure;
import static dev.cohort.inmemory.InMemoryBackendTest.join;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cohort.spi.ConnectionLossException;
import dev.cohort.spi.CreateMode;
import dev.cohort.spi.Session;
import dev.cohort.spi.SessionExpiredException;
import dev.cohort.spi.SessionState;
import dev.cohort.spi.WatchEvent;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Fault controls and session expiry on virtual time, as BackendFixture's javadoc defines them. */
class InMemoryFaultsTest {
  private final InMemoryFixture fixture = new InMemoryFixture();

  @AfterEach
  void close() {
    fixture.close();
  }

  private static List<SessionState> recordStates(Session s) {
    List<SessionState> states = new CopyOnWriteArrayList<>();
    s.addStateListener((session, state) -> states.add(state));
    return states;
  }

  @Test
  void disconnectedSessionIsSuspendedAndItsOperationsFailWithConnectionLoss() {
    Session s = fixture.openSession();
    List<SessionState> states = recordStates(s);
    fixture.disconnect(s);
    assertEquals(SessionState.SUSPENDED, s.state());
    assertInstanceOf(ConnectionLossException.class, failure(s.create("/a", new byte[0], CreateMode.PERSISTENT)));
    fixture.reconnect(s);
    assertEquals(List.of(SessionState.SUSPENDED, SessionState.RECONNECTED), states);
    assertNull(join(s.exists("/a")), "the create refused while disconnected was not applied");
  }

  @Test
  void ephemeralsSurviveADisconnectShorterThanTheTimeout() {
    Session s = fixture.openSession(Duration.ofSeconds(10));
    Session observer = fixture.openSession();
    join(s.create("/eph", new byte[0], CreateMode.EPHEMERAL));
    fixture.disconnect(s);
    fixture.advanceTime(Duration.ofSeconds(9));
    assertNotNull(join(observer.exists("/eph")));
    fixture.reconnect(s);
    assertEquals(SessionState.RECONNECTED, s.state());
    fixture.advanceTime(Duration.ofMinutes(5));
    assertNotNull(join(observer.exists("/eph")), "a connected session never expires on its own");
  }

  @Test
  void disconnectedSessionExpiresTheMomentVirtualTimePassesItsTimeout() {
    Session s = fixture.openSession(Duration.ofSeconds(10));
    Session observer = fixture.openSession();
    join(s.create("/eph", new byte[0], CreateMode.EPHEMERAL));
    List<WatchEvent> events = new CopyOnWriteArrayList<>();
    join(observer.exists("/eph", events::add));
    List<SessionState> states = recordStates(s);
    fixture.disconnect(s);
    fixture.advanceTime(Duration.ofSeconds(10));
    assertEquals(List.of(new WatchEvent(WatchEvent.Type.NODE_DELETED, "/eph")), events);
    assertNull(join(observer.exists("/eph")));
    assertEquals(SessionState.SUSPENDED, s.state(), "the client learns of expiry when it reconnects");
    fixture.reconnect(s);
    assertEquals(List.of(SessionState.SUSPENDED, SessionState.EXPIRED), states);
    assertInstanceOf(SessionExpiredException.class, failure(s.exists("/")));
  }

  @Test
  void expireDeletesEphemeralsFiresOthersWatchesAndTellsAConnectedClientAtOnce() {
    Session s = fixture.openSession();
    Session observer = fixture.openSession();
    join(s.create("/lock", new byte[0], CreateMode.EPHEMERAL));
    List<WatchEvent> events = new CopyOnWriteArrayList<>();
    join(observer.getData("/lock", events::add));
    List<SessionState> states = recordStates(s);
    fixture.expire(s);
    assertEquals(List.of(SessionState.EXPIRED), states);
    assertEquals(SessionState.EXPIRED, s.state());
    assertEquals(List.of(new WatchEvent(WatchEvent.Type.NODE_DELETED, "/lock")), events);
    assertInstanceOf(SessionExpiredException.class, failure(s.getData("/lock")));
  }

  @Test
  void lostReplyAppliesTheWriteFailsItsFutureAndBouncesTheSession() {
    Session s = fixture.openSession();
    List<SessionState> states = recordStates(s);
    fixture.loseNextReply(s);
    assertInstanceOf(ConnectionLossException.class, failure(s.create("/lost", bytes("x"), CreateMode.PERSISTENT)));
    assertNotNull(join(s.exists("/lost")), "the write was applied although its reply was lost");
    assertEquals(List.of(SessionState.SUSPENDED, SessionState.RECONNECTED), states);
    assertEquals(SessionState.RECONNECTED, s.state());
    assertNotNull(join(s.exists("/lost")), "only the next reply is lost");
  }

  @Test
  void watchSetBeforeDisconnectFiresOnReconnectIfItsNodeChangedMeanwhile() {
    Session s = fixture.openSession();
    Session writer = fixture.openSession();
    join(writer.create("/changed", new byte[0], CreateMode.PERSISTENT));
    join(writer.create("/same", new byte[0], CreateMode.PERSISTENT));
    List<WatchEvent> events = new CopyOnWriteArrayList<>();
    join(s.getData("/changed", events::add));
    join(s.getData("/same", events::add));
    join(s.exists("/born", events::add));
    join(s.getChildren("/same", events::add));
    fixture.disconnect(s);
    join(writer.setData("/changed", bytes("v"), -1));
    join(writer.create("/born", new byte[0], CreateMode.PERSISTENT));
    assertTrue(events.isEmpty(), "no events while disconnected");
    fixture.reconnect(s);
    assertEquals(List.of(
        new WatchEvent(WatchEvent.Type.NODE_DATA_CHANGED, "/changed"),
        new WatchEvent(WatchEvent.Type.NODE_CREATED, "/born")), events);
    join(writer.setData("/same", bytes("later"), -1));
    join(writer.create("/same/kid", new byte[0], CreateMode.PERSISTENT));
    assertEquals(List.of(
        new WatchEvent(WatchEvent.Type.NODE_DATA_CHANGED, "/changed"),
        new WatchEvent(WatchEvent.Type.NODE_CREATED, "/born"),
        new WatchEvent(WatchEvent.Type.NODE_DATA_CHANGED, "/same"),
        new WatchEvent(WatchEvent.Type.NODE_CHILDREN_CHANGED, "/same")), events,
        "unchanged watches were re-armed and fire on later changes");
  }

  @Test
  void completionsStillInFlightWhenTheConnectionDropsFailWithConnectionLoss() {
    java.util.Queue<Runnable> pending = new java.util.ArrayDeque<>();
    try (InMemoryBackend backend = InMemoryBackend.builder().timeSource(new ManualTimeSource())
        .callbackExecutor(pending::add).build()) {
      Session s = backend.openSession().join();
      java.util.concurrent.CompletableFuture<dev.cohort.spi.Created> inFlight =
          s.create("/applied", new byte[0], CreateMode.PERSISTENT);
      assertTrue(!inFlight.isDone(), "the reply waits on the callback executor");
      backend.faults().disconnect(s);
      while (!pending.isEmpty()) {
        pending.poll().run();
      }
      assertInstanceOf(ConnectionLossException.class, failure(inFlight));
      backend.faults().reconnect(s);
      java.util.concurrent.CompletableFuture<dev.cohort.spi.Stat> check = s.exists("/applied");
      while (!pending.isEmpty()) {
        pending.poll().run();
      }
      assertNotNull(join(check), "the outcome was unknown to the client, but the create was applied");
    }
  }

  @Test
  void advancingOneManualClockExpiresDisconnectedSessionsOfEveryBackendOnIt() {
    ManualTimeSource time = new ManualTimeSource();
    try (InMemoryBackend first = InMemoryBackend.builder().timeSource(time).build();
        InMemoryBackend second = InMemoryBackend.builder().timeSource(time).build()) {
      Session a = first.openSession().join();
      Session b = second.openSession().join();
      join(a.create("/e", new byte[0], CreateMode.EPHEMERAL));
      join(b.create("/e", new byte[0], CreateMode.EPHEMERAL));
      first.faults().disconnect(a);
      second.faults().disconnect(b);
      time.advance(Duration.ofSeconds(40));
      assertNull(join(first.openSession().join().exists("/e")));
      assertNull(join(second.openSession().join().exists("/e")));
    }
  }

  @Test
  void faultControlsRejectASessionOfAnotherBackend() {
    try (InMemoryFixture other = new InMemoryFixture()) {
      Session foreign = other.openSession();
      assertThrows(IllegalArgumentException.class, () -> fixture.disconnect(foreign));
      assertEquals(SessionState.CONNECTED, foreign.state());
    }
  }
}
