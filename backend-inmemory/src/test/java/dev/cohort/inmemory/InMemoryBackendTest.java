package dev.cohort.inmemory;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cohort.spi.Capability;
import dev.cohort.spi.CoordinationException;
import dev.cohort.spi.CreateMode;
import dev.cohort.spi.Created;
import dev.cohort.spi.NodeData;
import dev.cohort.spi.Session;
import dev.cohort.spi.SessionConfig;
import dev.cohort.spi.SessionState;
import dev.cohort.spi.Stat;
import dev.cohort.spi.WatchEvent;
import dev.cohort.spi.WatchMode;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The backend around the tree: sessions, ordering, watches, callbacks and the session timeout range. */
class InMemoryBackendTest {
  private final InMemoryFixture fixture = new InMemoryFixture();
  private final InMemoryBackend backend = fixture.backend();

  @AfterEach
  void close() {
    fixture.close();
  }

  static byte[] bytes(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  static <T> T join(CompletableFuture<T> future) {
    return future.orTimeout(10, TimeUnit.SECONDS).join();
  }

  static CoordinationException failure(CompletableFuture<?> future) {
    CompletionException e = assertThrows(CompletionException.class, () -> future.orTimeout(10, TimeUnit.SECONDS).join());
    return assertInstanceOf(CoordinationException.class, e.getCause());
  }

  @Test
  void createThenGetDataReturnsTheBytesAndAStatStampedWithTheZxid() {
    Session s = fixture.openSession();
    Created created = join(s.create("/a", bytes("hello"), CreateMode.PERSISTENT));
    NodeData read = join(s.getData("/a"));
    assertArrayEquals(bytes("hello"), read.data());
    assertEquals(created.stat(), read.stat());
    Stat stat = read.stat();
    assertEquals(stat.czxid(), stat.mzxid());
    assertEquals(stat.czxid(), stat.pzxid());
    assertEquals(fixture.time().epochMillis(), stat.ctime());
    assertEquals(0, stat.version());
    assertEquals(5, stat.dataLength());
    assertEquals(0, stat.ephemeralOwner());
  }

  @Test
  void freshBackendHoldsOnlyTheRootAndZookeeper() {
    Session s = fixture.openSession();
    assertEquals(List.of("zookeeper"), join(s.getChildren("/")).names());
    assertNotNull(join(s.exists("/zookeeper")));
  }

  @Test
  void grantedSessionTimeoutIsClampedIntoTheConfiguredRange() {
    assertEquals(Duration.ofSeconds(4), fixture.openSession(Duration.ofMillis(10)).sessionTimeout());
    assertEquals(Duration.ofSeconds(40), fixture.openSession(Duration.ofMinutes(5)).sessionTimeout());
    assertEquals(Duration.ofSeconds(30), fixture.openSession(Duration.ofSeconds(30)).sessionTimeout());
  }

  @Test
  void completionsOfOneSessionArriveInIssueOrderEvenWhenIssuedFromCallbacks() {
    Session s = fixture.openSession();
    List<Integer> order = new CopyOnWriteArrayList<>();
    List<CompletableFuture<?>> nested = new CopyOnWriteArrayList<>();
    // The watcher runs inside the session's drain loop, so operations it issues only enqueue.
    join(s.exists("/x", event -> {
      order.add(0);
      nested.add(s.setData("/x", bytes("1"), 0).thenRun(() -> order.add(1)));
      nested.add(s.setData("/x", bytes("2"), 1).thenRun(() -> order.add(2)));
      nested.add(s.getData("/x").thenRun(() -> order.add(3)));
      order.add(-1);
    }));
    join(s.create("/x", new byte[0], CreateMode.PERSISTENT));
    assertEquals(3, nested.size());
    nested.forEach(InMemoryBackendTest::join);
    assertEquals(List.of(0, -1, 1, 2, 3), order);
  }

  @Test
  void aCallbackThatIssuesAnotherOperationAndChainsOnItDoesNotDeadlock() {
    Session s = fixture.openSession();
    CompletableFuture<NodeData> chained = s.create("/c", bytes("v"), CreateMode.PERSISTENT)
        .thenCompose(created -> s.getData(created.path()));
    assertArrayEquals(bytes("v"), join(chained).data());
  }

  @Test
  void callbacksRunWithoutTheBackendLockHeld() {
    Session s = fixture.openSession();
    List<Boolean> heldInCallback = new CopyOnWriteArrayList<>();
    join(s.exists("/w", e -> heldInCallback.add(backend.lock.isLocked())));
    join(s.create("/w", new byte[0], CreateMode.PERSISTENT).thenRun(() -> heldInCallback.add(backend.lock.isLocked())));
    assertEquals(List.of(false, false), heldInCallback);
  }

  @Test
  void watchEventReachesTheWatchingSessionBeforeTheDataThatShowsTheChange() {
    Session writer = fixture.openSession();
    Session reader = fixture.openSession();
    join(writer.create("/n", bytes("old"), CreateMode.PERSISTENT));
    List<String> seen = new CopyOnWriteArrayList<>();
    join(reader.getData("/n", e -> seen.add("event " + e.type())));
    join(writer.setData("/n", bytes("new"), -1));
    join(reader.getData("/n").thenAccept(d -> seen.add("data " + new String(d.data(), StandardCharsets.UTF_8))));
    assertEquals(List.of("event NODE_DATA_CHANGED", "data new"), seen);
    assertEquals(1, backend.watchEventsDelivered());
  }

  @Test
  void ownWriteDeliversTheWatchEventBeforeItsCompletion() {
    Session s = fixture.openSession();
    join(s.create("/own", new byte[0], CreateMode.PERSISTENT));
    List<String> seen = new CopyOnWriteArrayList<>();
    join(s.getData("/own", e -> seen.add("event")));
    // Issued from a watcher so the completion is queued behind whatever the write enqueues.
    CompletableFuture<Void> done = new CompletableFuture<>();
    join(s.exists("/go", e -> s.setData("/own", bytes("x"), -1).thenRun(() -> {
      seen.add("completion");
      done.complete(null);
    })));
    join(s.create("/go", new byte[0], CreateMode.PERSISTENT));
    join(done);
    assertEquals(List.of("event", "completion"), seen);
  }

  @Test
  void oneShotWatchFiresOnceAndTheSameWatcherOnExistsAndGetDataFiresOnce() {
    Session s = fixture.openSession();
    join(s.create("/o", new byte[0], CreateMode.PERSISTENT));
    List<WatchEvent> events = new CopyOnWriteArrayList<>();
    dev.cohort.spi.Watcher w = events::add;
    join(s.exists("/o", w));
    join(s.getData("/o", w));
    join(s.setData("/o", bytes("1"), -1));
    join(s.setData("/o", bytes("2"), -1));
    assertEquals(List.of(new WatchEvent(WatchEvent.Type.NODE_DATA_CHANGED, "/o")), events);
  }

  @Test
  void persistentRecursiveWatchReportsDescendantsAndStays() {
    Session s = fixture.openSession();
    List<WatchEvent> events = new CopyOnWriteArrayList<>();
    join(s.addWatch("/r", WatchMode.PERSISTENT_RECURSIVE, events::add));
    join(s.create("/r", new byte[0], CreateMode.PERSISTENT));
    join(s.create("/r/a", new byte[0], CreateMode.PERSISTENT));
    join(s.setData("/r/a", bytes("x"), -1));
    join(s.delete("/r/a", -1));
    assertEquals(List.of(
        new WatchEvent(WatchEvent.Type.NODE_CREATED, "/r"),
        new WatchEvent(WatchEvent.Type.NODE_CREATED, "/r/a"),
        new WatchEvent(WatchEvent.Type.NODE_DATA_CHANGED, "/r/a"),
        new WatchEvent(WatchEvent.Type.NODE_DELETED, "/r/a")), events);
  }

  @Test
  void capabilityLeftOutMakesItsOperationsFailUnimplementedAndChangeNothing() {
    try (InMemoryBackend lean = InMemoryBackend.builder().withoutCapability(Capability.TTL_NODES)
        .withoutCapability(Capability.PERSISTENT_WATCHES).build()) {
      Session s = join(lean.openSession());
      assertEquals(dev.cohort.spi.ErrorCode.UNIMPLEMENTED,
          failure(s.create("/t", new byte[0], CreateMode.PERSISTENT_WITH_TTL, Duration.ofSeconds(1))).code());
      assertEquals(dev.cohort.spi.ErrorCode.UNIMPLEMENTED,
          failure(s.addWatch("/", WatchMode.PERSISTENT, e -> { })).code());
      assertNull(join(s.exists("/t")));
      assertTrue(lean.capabilities().contains(Capability.CONTAINER_NODES));
    }
  }

  @Test
  void closingTheBackendClosesSessionsAndRefusesNewOnes() {
    Session s = fixture.openSession();
    join(s.create("/e", new byte[0], CreateMode.EPHEMERAL));
    List<SessionState> states = Collections.synchronizedList(new ArrayList<>());
    s.addStateListener((session, state) -> states.add(state));
    backend.close();
    assertEquals(SessionState.CLOSED, s.state());
    assertEquals(List.of(SessionState.CLOSED), states);
    assertInstanceOf(dev.cohort.spi.SessionClosedException.class, failure(s.exists("/")));
    assertInstanceOf(dev.cohort.spi.SessionClosedException.class, failure(backend.openSession(SessionConfig.defaults())));
  }
}
