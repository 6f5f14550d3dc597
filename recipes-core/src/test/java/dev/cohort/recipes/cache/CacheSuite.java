package dev.cohort.recipes.cache;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.cohort.recipes.Cohort;
import dev.cohort.recipes.ExponentialBackoff;
import dev.cohort.spi.CreateMode;
import dev.cohort.spi.Watcher;
import dev.cohort.tck.BackendFixture;
import dev.cohort.tck.FaultControl;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * NodeCache and ChildrenCache guarantees, on any backend: subclasses supply the fixture. Clients
 * work under a namespace, so the namespace path mapping is exercised too. Parameterized tests run
 * once with persistent watches allowed (used if the backend has them) and once with one-shot watches.
 */
public abstract class CacheSuite {
  private static final Duration SESSION_TIMEOUT = Duration.ofSeconds(10);

  protected abstract BackendFixture newFixture();

  /** Watch events the fixture's backend delivered so far, if it counts them. */
  protected OptionalLong watchEventsDelivered() {
    return OptionalLong.empty();
  }

  protected BackendFixture fixture;
  private final List<Cohort> clients = new CopyOnWriteArrayList<>();
  private final List<AutoCloseable> caches = new CopyOnWriteArrayList<>();

  @BeforeEach
  void setUp() {
    fixture = newFixture();
  }

  @AfterEach
  void tearDown() throws Exception {
    for (AutoCloseable cache : caches) {
      cache.close();
    }
    clients.forEach(Cohort::close);
    fixture.close();
  }

  private Cohort newClient() throws InterruptedException {
    Cohort client = Cohort.builder(fixture.backend())
        .namespace("/app")
        .sessionTimeout(SESSION_TIMEOUT)
        .retryPolicy(new ExponentialBackoff(Duration.ofMillis(1), Duration.ofMillis(20), 5, Duration.ofSeconds(5)))
        .build();
    client.start();
    clients.add(client);
    return client;
  }

  private static byte[] bytes(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  private static String text(ChildData data) {
    return new String(data.data(), StandardCharsets.UTF_8);
  }

  private NodeCache nodeCache(Cohort client, String path, NodeCacheListener listener, boolean persistent)
      throws InterruptedException {
    NodeCache cache = NodeCache.start(client, path, listener, persistent);
    caches.add(cache);
    return cache;
  }

  private ChildrenCache childrenCache(Cohort client, String path, ChildrenCacheListener listener, boolean persistent)
      throws InterruptedException {
    ChildrenCache cache = ChildrenCache.start(client, path, listener, persistent);
    caches.add(cache);
    return cache;
  }

  @ParameterizedTest(name = "persistent watches allowed: {0}")
  @ValueSource(booleans = {true, false})
  void aNodeCacheFollowsCreateUpdateAndDeleteAndEndsOnTheFinalState(boolean persistent) throws Exception {
    Cohort writer = newClient();
    List<Optional<String>> seen = new CopyOnWriteArrayList<>();
    NodeCache cache = nodeCache(newClient(), "/config", c -> seen.add(c.map(CacheSuite::text)), persistent);
    assertEquals(Optional.empty(), cache.current());

    writer.blocking().createWithParents("/config", bytes("v1"), CreateMode.PERSISTENT);
    await().until(() -> cache.current().map(CacheSuite::text).equals(Optional.of("v1")));
    writer.blocking().setData("/config", bytes("v2"), -1);
    await().until(() -> cache.current().map(CacheSuite::text).equals(Optional.of("v2")));
    writer.blocking().delete("/config", -1);
    await().until(() -> cache.current().isEmpty());

    await().until(() -> seen.size() == 3);
    assertEquals(List.of(Optional.of("v1"), Optional.of("v2"), Optional.empty()), seen);
  }

  @ParameterizedTest(name = "persistent watches allowed: {0}")
  @ValueSource(booleans = {true, false})
  void aChildrenCacheReportsAddedUpdatedAndRemovedChildren(boolean persistent) throws Exception {
    Cohort writer = newClient();
    writer.blocking().createWithParents("/svc/a", bytes("a1"), CreateMode.PERSISTENT);
    List<String> events = new CopyOnWriteArrayList<>();
    ChildrenCache cache = childrenCache(newClient(), "/svc",
        (type, child) -> events.add(type + " " + child.name() + "=" + text(child)), persistent);

    writer.blocking().create("/svc/b", bytes("b1"), CreateMode.PERSISTENT);
    await().until(() -> events.size() == 2);
    writer.blocking().setData("/svc/a", bytes("a2"), -1);
    await().until(() -> events.size() == 3);
    writer.blocking().delete("/svc/b", -1);
    await().until(() -> events.size() == 4);

    assertEquals(List.of("ADDED a=a1", "ADDED b=b1", "UPDATED a=a2", "REMOVED b=b1"), events);
    assertEquals(List.of("a"), List.copyOf(cache.children().keySet()));
    assertEquals("a2", text(cache.children().get("a")));
    assertEquals("/svc/a", cache.children().get("a").path(), "paths are namespace-relative");
  }

  @ParameterizedTest(name = "persistent watches allowed: {0}")
  @ValueSource(booleans = {true, false})
  void aChildReCreatedAtOnceIsFollowedAndGrandchildrenAndParentDataChangeNothing(boolean persistent)
      throws Exception {
    Cohort writer = newClient();
    writer.blocking().createWithParents("/svc/a", bytes("a1"), CreateMode.PERSISTENT);
    writer.blocking().create("/svc/b", bytes("b1"), CreateMode.PERSISTENT);
    List<String> events = new CopyOnWriteArrayList<>();
    ChildrenCache cache = childrenCache(newClient(), "/svc",
        (type, child) -> events.add(type + " " + child.name() + "=" + text(child)), persistent);
    await().until(() -> events.size() == 2);

    // Unrelated to the children: the parent's data and a grandchild.
    writer.blocking().setData("/svc", bytes("p"), -1);
    writer.blocking().create("/svc/b/grandchild", bytes("g"), CreateMode.PERSISTENT);
    // Deleted and re-created with no read in between, then changed: the new node must be watched.
    writer.blocking().delete("/svc/a", -1);
    writer.blocking().create("/svc/a", bytes("a2"), CreateMode.PERSISTENT);
    writer.blocking().setData("/svc/a", bytes("a3"), -1);
    await().until(() -> cache.children().containsKey("a") && text(cache.children().get("a")).equals("a3"));
    writer.blocking().setData("/svc/a", bytes("a4"), -1);
    await().until(() -> text(cache.children().get("a")).equals("a4"));

    assertEquals(List.of("a", "b"), List.copyOf(cache.children().keySet()));
    assertEquals("b1", text(cache.children().get("b")));
    assertEquals(List.of("ADDED b=b1"), events.stream().filter(e -> e.contains(" b=")).toList(),
        "b itself never changed: " + events);
    assertEquals("UPDATED a=a4", events.get(events.size() - 1), "events in order, ending on the last: " + events);
  }

  @ParameterizedTest(name = "persistent watches allowed: {0}")
  @ValueSource(booleans = {true, false})
  void changesMadeWhileDisconnectedAreSeenAfterTheReconnect(boolean persistent) throws Exception {
    assumeTrue(fixture.supports(FaultControl.DISCONNECT), "needs DISCONNECT");
    Cohort writer = newClient();
    writer.blocking().createWithParents("/svc/a", bytes("a1"), CreateMode.PERSISTENT);
    writer.blocking().createWithParents("/config", bytes("v1"), CreateMode.PERSISTENT);
    Cohort reader = newClient();
    ChildrenCache children = childrenCache(reader, "/svc", null, persistent);
    NodeCache node = nodeCache(reader, "/config", null, persistent);

    fixture.disconnect(reader.session());
    writer.blocking().setData("/svc/a", bytes("a2"), -1);
    writer.blocking().create("/svc/b", bytes("b1"), CreateMode.PERSISTENT);
    writer.blocking().setData("/config", bytes("v2"), -1);
    writer.blocking().setData("/config", bytes("v3"), -1);
    fixture.reconnect(reader.session());

    await().until(() -> children.children().keySet().equals(java.util.Set.of("a", "b"))
        && text(children.children().get("a")).equals("a2"));
    await().until(() -> node.current().map(CacheSuite::text).equals(Optional.of("v3")));
  }

  @ParameterizedTest(name = "persistent watches allowed: {0}")
  @ValueSource(booleans = {true, false})
  void aCacheSurvivesSessionLossAndFollowsChangesOnTheNewSession(boolean persistent) throws Exception {
    assumeTrue(fixture.supports(FaultControl.EXPIRE), "needs EXPIRE");
    Cohort writer = newClient();
    writer.blocking().createWithParents("/svc/a", bytes("a1"), CreateMode.PERSISTENT);
    Cohort reader = newClient();
    ChildrenCache cache = childrenCache(reader, "/svc", null, persistent);
    long firstSession = reader.sessionId();

    fixture.expire(reader.session());
    writer.blocking().create("/svc/b", bytes("b1"), CreateMode.PERSISTENT);
    await().until(() -> reader.connectionState().isConnected() && reader.sessionId() != firstSession);
    await().until(() -> cache.children().containsKey("b"));

    writer.blocking().create("/svc/c", bytes("c1"), CreateMode.PERSISTENT);
    await().until(() -> cache.children().containsKey("c"));
  }

  @ParameterizedTest(name = "persistent watches allowed: {0}")
  @ValueSource(booleans = {true, false})
  void aClosedCacheLeavesNoWatchBehind(boolean persistent) throws Exception {
    OptionalLong probe = watchEventsDelivered();
    assumeTrue(probe.isPresent(), "needs a backend that counts watch events");
    Cohort writer = newClient();
    writer.blocking().createWithParents("/svc/a", bytes("a1"), CreateMode.PERSISTENT);
    writer.blocking().createWithParents("/config", bytes("v1"), CreateMode.PERSISTENT);
    Cohort reader = newClient();
    ChildrenCache children = childrenCache(reader, "/svc", null, persistent);
    NodeCache node = nodeCache(reader, "/config", null, persistent);

    children.close();
    node.close();
    // Removal is asynchronous; a read on the same session completes after it.
    reader.blocking().sync("/");
    long before = watchEventsDelivered().getAsLong();
    writer.blocking().setData("/svc/a", bytes("a2"), -1);
    writer.blocking().create("/svc/b", bytes("b1"), CreateMode.PERSISTENT);
    writer.blocking().setData("/config", bytes("v2"), -1);
    writer.blocking().sync("/");

    assertEquals(before, watchEventsDelivered().getAsLong(), "no watch fired after close");
  }

  @Test
  void rereadingManyTimesKeepsOneWatchPerPath() throws Exception {
    OptionalLong probe = watchEventsDelivered();
    assumeTrue(probe.isPresent(), "needs a backend that counts watch events");
    Cohort writer = newClient();
    writer.blocking().createWithParents("/svc/a", bytes("0"), CreateMode.PERSISTENT);
    ChildrenCache cache = childrenCache(newClient(), "/svc", null, false);
    for (int i = 1; i <= 30; i++) {
      writer.blocking().setData("/svc/a", bytes(Integer.toString(i)), -1);
      int expected = i;
      await().pollInterval(Duration.ofMillis(2)).until(() -> text(cache.children().get("a")).equals(Integer.toString(expected)));
    }

    long before = watchEventsDelivered().getAsLong();
    writer.blocking().create("/svc/b", bytes("b"), CreateMode.PERSISTENT);
    await().until(() -> cache.children().containsKey("b"));
    writer.blocking().sync("/");

    assertEquals(1, watchEventsDelivered().getAsLong() - before,
        "one child event, not one per re-read of the path");
  }

  @Test
  void theSameWatcherArmedTwiceUnderANamespaceFiresOnce() throws Exception {
    Cohort client = newClient();
    client.blocking().createWithParents("/x", bytes("1"), CreateMode.PERSISTENT);
    AtomicInteger fired = new AtomicInteger();
    Watcher watcher = event -> fired.incrementAndGet();

    client.blocking().exists("/x", watcher);
    client.blocking().getData("/x", watcher);
    client.blocking().setData("/x", bytes("2"), -1);
    client.blocking().setData("/x", bytes("3"), -1);
    client.blocking().sync("/");

    await().until(() -> fired.get() >= 1);
    assertEquals(1, fired.get());
  }

  @Test
  void aChildrenCacheOfAMissingPathIsEmptyAndFillsWhenItAppears() throws Exception {
    Cohort writer = newClient();
    ChildrenCache cache = childrenCache(newClient(), "/later", null, false);
    assertEquals(Map.of(), cache.children());

    writer.blocking().createWithParents("/later/x", bytes("x"), CreateMode.PERSISTENT);

    await().until(() -> cache.children().containsKey("x"));
  }

  @Test
  void eventsArriveInOrderAndTheCacheEndsOnTheLastOfManyQuickUpdates() throws Exception {
    Cohort writer = newClient();
    writer.blocking().createWithParents("/config", bytes("0"), CreateMode.PERSISTENT);
    List<Integer> seen = new CopyOnWriteArrayList<>();
    NodeCache cache = nodeCache(newClient(), "/config",
        c -> seen.add(Integer.parseInt(text(c.orElseThrow()))), true);

    for (int i = 1; i <= 200; i++) {
      writer.async().setData("/config", bytes(Integer.toString(i)), -1);
    }
    writer.blocking().sync("/");

    await().until(() -> cache.current().map(CacheSuite::text).equals(Optional.of("200")));
    await().until(() -> !seen.isEmpty() && seen.get(seen.size() - 1) == 200);
    for (int i = 1; i < seen.size(); i++) {
      assertTrue(seen.get(i - 1) < seen.get(i), "in order: " + seen);
    }
  }
}
