package dev.cohort.recipes.cache;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cohort.recipes.Cohort;
import dev.cohort.recipes.RecipeSuiteSupport;
import dev.cohort.spi.Capability;
import dev.cohort.spi.CreateMode;
import dev.cohort.spi.InvalidPathException;
import dev.cohort.tck.FaultControl;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.OptionalLong;
import java.util.TreeMap;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * TreeCache guarantees, on any backend: subclasses supply the fixture. Parameterized tests run once
 * with persistent watches allowed (used if the backend has them) and once with one-shot watches.
 * Listeners record events as {@code TYPE path=data}; checks compare whole event lists, so a
 * duplicated or missed event fails them.
 */
public abstract class TreeCacheSuite extends RecipeSuiteSupport {
  private final List<TreeCache> caches = new CopyOnWriteArrayList<>();

  /** Watches registered on the fixture's backend now, if it counts them. */
  protected OptionalInt registeredWatches() {
    return OptionalInt.empty();
  }

  @AfterEach
  void closeCaches() {
    caches.forEach(TreeCache::close);
  }

  private static byte[] bytes(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  private static String text(ChildData data) {
    return new String(data.data(), StandardCharsets.UTF_8);
  }

  /** Records every event as a line. */
  private static final class Recorder implements TreeCacheListener {
    final List<String> events = new CopyOnWriteArrayList<>();
    final List<TreeCacheEvent> raw = new CopyOnWriteArrayList<>();

    @Override
    public void treeChanged(TreeCacheEvent event) {
      raw.add(event);
      events.add(event.node() == null ? event.type().toString()
          : event.type() + " " + event.node().path() + "=" + text(event.node()));
    }

    List<String> since(int from) {
      return new ArrayList<>(events.subList(from, events.size()));
    }
  }

  private TreeCache started(TreeCache.Builder builder) throws InterruptedException {
    TreeCache cache = builder.build();
    caches.add(cache);
    cache.start();
    assertTrue(cache.awaitInitialized(Duration.ofSeconds(20)), "initialized");
    return cache;
  }

  private TreeCache cache(Cohort client, Recorder recorder, boolean persistent) throws InterruptedException {
    TreeCache cache = started(TreeCache.builder(client, "/tree").listener(recorder).allowPersistentWatches(persistent));
    // Listeners run on an executor: wait for the load's events to reach the recorder.
    await().until(() -> recorder.events.contains("INITIALIZED"));
    return cache;
  }

  /** Waits until the cache has applied every read it has sent, so that no event is still coming. */
  private static void awaitQuiet(TreeCache cache) {
    await().atMost(Duration.ofSeconds(20)).until(cache::isQuiet);
  }

  /** The cached tree as path=data lines, read through the public lookups. */
  private static Map<String, String> contents(TreeCache cache) {
    Map<String, String> out = new TreeMap<>();
    cache.current(cache.rootPath()).ifPresent(root -> walk(cache, root, out));
    return out;
  }

  private static void walk(TreeCache cache, ChildData node, Map<String, String> out) {
    out.put(node.path(), text(node));
    cache.children(node.path()).values().forEach(child -> walk(cache, child, out));
  }

  private void createTree(Cohort writer) throws InterruptedException {
    writer.blocking().createWithParents("/tree/a/x", bytes("x1"), CreateMode.PERSISTENT);
    writer.blocking().setData("/tree", bytes("root"), -1);
    writer.blocking().setData("/tree/a", bytes("a1"), -1);
    writer.blocking().create("/tree/b", bytes("b1"), CreateMode.PERSISTENT);
  }

  @ParameterizedTest(name = "persistent watches allowed: {0}")
  @ValueSource(booleans = {true, false})
  void theInitialLoadReportsEveryNodeOnceThenInitialized(boolean persistent) throws Exception {
    Cohort writer = newClient();
    createTree(writer);
    Recorder recorder = new Recorder();
    TreeCache cache = cache(newClient(), recorder, persistent);

    await().until(() -> recorder.events.contains("INITIALIZED"));
    List<String> events = recorder.since(0);
    assertEquals("ADDED /tree=root", events.get(0).replace("NODE_", ""), "the root first");
    assertEquals("INITIALIZED", events.get(events.size() - 1));
    assertEquals(List.of("NODE_ADDED /tree/a/x=x1", "NODE_ADDED /tree/a=a1", "NODE_ADDED /tree/b=b1",
        "NODE_ADDED /tree=root"), events.subList(0, 4).stream().sorted().toList());
    assertEquals(5, events.size());
    assertEquals(Map.of("/tree", "root", "/tree/a", "a1", "/tree/a/x", "x1", "/tree/b", "b1"), contents(cache));
    assertEquals(4, cache.size());
    assertEquals(persistent && fixture.backend().has(Capability.PERSISTENT_WATCHES), cache.usesPersistentWatch());
  }

  @ParameterizedTest(name = "persistent watches allowed: {0}")
  @ValueSource(booleans = {true, false})
  void deepNodesAreAddedUpdatedAndRemovedInOrder(boolean persistent) throws Exception {
    Cohort writer = newClient();
    writer.blocking().createWithParents("/tree", bytes(""), CreateMode.PERSISTENT);
    Recorder recorder = new Recorder();
    TreeCache cache = cache(newClient(), recorder, persistent);
    int from = recorder.events.size();

    writer.blocking().createWithParents("/tree/p/q/r", bytes("r1"), CreateMode.PERSISTENT);
    await().until(() -> cache.current("/tree/p/q/r").isPresent());
    writer.blocking().setData("/tree/p/q/r", bytes("r2"), -1);
    await().until(() -> cache.current("/tree/p/q/r").map(TreeCacheSuite::text).equals(Optional.of("r2")));
    writer.blocking().delete("/tree/p/q/r", -1);
    writer.blocking().delete("/tree/p/q", -1);
    await().until(() -> cache.current("/tree/p/q").isEmpty());
    awaitQuiet(cache);

    assertEquals(List.of("NODE_ADDED /tree/p=", "NODE_ADDED /tree/p/q=", "NODE_ADDED /tree/p/q/r=r1",
        "NODE_UPDATED /tree/p/q/r=r2", "NODE_REMOVED /tree/p/q/r=r2", "NODE_REMOVED /tree/p/q="),
        recorder.since(from));
    assertEquals(Map.of("/tree", "", "/tree/p", ""), contents(cache));
  }

  /**
   * Replays events into a tree, failing on any event that does not follow from the ones before it:
   * a node added twice, an update that does not move the node's mzxid on (a duplicate or a stale
   * state), a removal of a node not there or before its children, a node added under a missing parent.
   */
  private static Map<String, String> replay(List<TreeCacheEvent> events) {
    Map<String, ChildData> tree = new java.util.HashMap<>();
    for (TreeCacheEvent e : events) {
      if (e.type() == TreeCacheEvent.Type.INITIALIZED) {
        continue;
      }
      String path = e.node().path();
      ChildData before = tree.get(path);
      switch (e.type()) {
        case NODE_ADDED -> {
          assertEquals(null, before, "added twice: " + path);
          String parent = dev.cohort.spi.Paths.parent(path);
          assertTrue(tree.isEmpty() || tree.containsKey(parent), "added under a missing parent: " + path);
          tree.put(path, e.node());
        }
        case NODE_UPDATED -> {
          assertTrue(before != null, "updated but not there: " + path);
          assertTrue(e.node().stat().mzxid() > before.stat().mzxid(), "an update that is not newer: " + e);
          tree.put(path, e.node());
        }
        case NODE_REMOVED -> {
          assertTrue(before != null, "removed but not there: " + path);
          assertFalse(tree.keySet().stream().anyMatch(p -> p.startsWith(path + "/")), "removed before children");
          tree.remove(path);
        }
        default -> throw new AssertionError(e);
      }
    }
    Map<String, String> out = new TreeMap<>();
    tree.forEach((path, node) -> out.put(path, text(node)));
    return out;
  }

  /** The real subtree at {@code path}, read by {@code client}. */
  private static Map<String, String> actualTree(Cohort client, String path) throws InterruptedException {
    Map<String, String> out = new TreeMap<>();
    out.put(path, new String(client.blocking().getData(path, null).data(), StandardCharsets.UTF_8));
    for (String name : client.blocking().getChildren(path, null).names()) {
      out.putAll(actualTree(client, dev.cohort.spi.Paths.join(path, name)));
    }
    return out;
  }

  @ParameterizedTest(name = "persistent watches allowed: {0}")
  @ValueSource(booleans = {true, false})
  void changesDuringTheInitialLoadAreNeitherLostNorDoubled(boolean persistent) throws Exception {
    Cohort writer = newClient();
    List<String> leaves = new ArrayList<>();
    List<java.util.concurrent.CompletableFuture<?>> creates = new ArrayList<>();
    for (int b = 0; b < 20; b++) {
      writer.blocking().createWithParents("/tree/b" + b, bytes("b"), CreateMode.PERSISTENT);
      for (int n = 0; n < 5; n++) {
        leaves.add("/tree/b" + b + "/n" + n);
        creates.add(writer.async().create("/tree/b" + b + "/n" + n, bytes("0"), CreateMode.PERSISTENT));
      }
    }
    java.util.concurrent.CompletableFuture.allOf(creates.toArray(java.util.concurrent.CompletableFuture[]::new))
        .get(30, java.util.concurrent.TimeUnit.SECONDS);
    Recorder recorder = new Recorder();
    TreeCache cache = TreeCache.builder(newClient(), "/tree").listener(recorder).maxConcurrentReads(2)
        .allowPersistentWatches(persistent).build();
    caches.add(cache);

    cache.start();
    java.util.Random random = new java.util.Random(7);
    List<java.util.concurrent.CompletableFuture<?>> writes = new ArrayList<>();
    for (int i = 0; i < 300; i++) {
      int op = random.nextInt(4);
      if (op < 2 && !leaves.isEmpty()) {
        writes.add(writer.async().setData(leaves.get(random.nextInt(leaves.size())), bytes("v" + i), -1));
      } else if (op == 2) {
        String leaf = "/tree/b" + random.nextInt(20) + "/x" + i;
        leaves.add(leaf);
        writes.add(writer.async().create(leaf, bytes("c" + i), CreateMode.PERSISTENT));
      } else if (!leaves.isEmpty()) {
        writes.add(writer.async().delete(leaves.remove(random.nextInt(leaves.size())), -1));
      }
    }
    java.util.concurrent.CompletableFuture.allOf(writes.toArray(java.util.concurrent.CompletableFuture[]::new))
        .get(30, java.util.concurrent.TimeUnit.SECONDS);
    Map<String, String> expected = actualTree(writer, "/tree");

    assertTrue(cache.awaitInitialized(Duration.ofSeconds(20)));
    await().atMost(Duration.ofSeconds(20)).until(() -> cache.isQuiet() && contents(cache).equals(expected));
    await().until(() -> recorder.events.contains("INITIALIZED"));
    assertEquals(expected, replay(recorder.raw), "the events replay to the final tree");
  }

  @ParameterizedTest(name = "persistent watches allowed: {0}")
  @ValueSource(booleans = {true, false})
  void eventsOfOnePathComeInTheOrderOfTheChanges(boolean persistent) throws Exception {
    Cohort writer = newClient();
    writer.blocking().createWithParents("/tree/n", bytes("0"), CreateMode.PERSISTENT);
    List<Integer> seen = new CopyOnWriteArrayList<>();
    TreeCache cache = started(TreeCache.builder(newClient(), "/tree").allowPersistentWatches(persistent)
        .listener(e -> {
          if (e.type() == TreeCacheEvent.Type.NODE_UPDATED) {
            seen.add(Integer.parseInt(text(e.node())));
          }
        }));

    for (int i = 1; i <= 100; i++) {
      writer.async().setData("/tree/n", bytes(Integer.toString(i)), -1);
    }
    writer.blocking().sync("/");

    await().until(() -> !seen.isEmpty() && seen.get(seen.size() - 1) == 100);
    for (int i = 1; i < seen.size(); i++) {
      assertTrue(seen.get(i - 1) < seen.get(i), "in order, never twice: " + seen);
    }
    assertEquals("100", text(cache.current("/tree/n").orElseThrow()));
  }

  @ParameterizedTest(name = "persistent watches allowed: {0}")
  @ValueSource(booleans = {true, false})
  void changesWhileDisconnectedAreReportedOnceAfterTheReconnect(boolean persistent) throws Exception {
    requireFaults(FaultControl.DISCONNECT);
    Cohort writer = newClient();
    createTree(writer);
    Cohort reader = newClient();
    Recorder recorder = new Recorder();
    TreeCache cache = cache(reader, recorder, persistent);
    awaitQuiet(cache);
    int from = recorder.events.size();

    fixture.disconnect(reader.session());
    writer.blocking().setData("/tree/a", bytes("a2"), -1);
    writer.blocking().delete("/tree/a/x", -1);
    writer.blocking().createWithParents("/tree/c/d", bytes("d1"), CreateMode.PERSISTENT);
    fixture.reconnect(reader.session());

    await().until(() -> contents(cache).equals(Map.of("/tree", "root", "/tree/a", "a2", "/tree/b", "b1",
        "/tree/c", "", "/tree/c/d", "d1")));
    awaitQuiet(cache);
    List<String> events = recorder.since(from);
    assertEquals(List.of("NODE_ADDED /tree/c/d=d1", "NODE_ADDED /tree/c=", "NODE_REMOVED /tree/a/x=x1",
        "NODE_UPDATED /tree/a=a2"), events.stream().sorted().toList(), "each real change once, nothing else");
    assertTrue(events.indexOf("NODE_ADDED /tree/c=") < events.indexOf("NODE_ADDED /tree/c/d=d1"), "parent first");

    writer.blocking().setData("/tree/b", bytes("b2"), -1);
    await().until(() -> recorder.events.contains("NODE_UPDATED /tree/b=b2"));
    assertEquals(actualTree(writer, "/tree"), replay(recorder.raw));
  }

  @ParameterizedTest(name = "persistent watches allowed: {0}")
  @ValueSource(booleans = {true, false})
  void afterSessionLossTheCacheResyncsAndFollowsTheNewSession(boolean persistent) throws Exception {
    requireFaults(FaultControl.EXPIRE);
    Cohort writer = newClient();
    createTree(writer);
    Cohort reader = newClient();
    Recorder recorder = new Recorder();
    TreeCache cache = cache(reader, recorder, persistent);
    awaitQuiet(cache);
    long firstSession = reader.sessionId();
    int from = recorder.events.size();

    fixture.expire(reader.session());
    writer.blocking().delete("/tree/b", -1);
    writer.blocking().setData("/tree/a/x", bytes("x2"), -1);
    await().until(() -> reader.connectionState().isConnected() && reader.sessionId() != firstSession);
    await().until(() -> cache.current("/tree/b").isEmpty()
        && cache.current("/tree/a/x").map(TreeCacheSuite::text).equals(Optional.of("x2")));
    awaitQuiet(cache);
    assertEquals(List.of("NODE_REMOVED /tree/b=b1", "NODE_UPDATED /tree/a/x=x2"),
        recorder.since(from).stream().sorted().toList());

    writer.blocking().create("/tree/a/y", bytes("y1"), CreateMode.PERSISTENT);
    await().until(() -> recorder.events.contains("NODE_ADDED /tree/a/y=y1"));
  }

  @Test
  void aLostReplyIsMadeGoodByTheResyncAfterTheReconnect() throws Exception {
    requireFaults(FaultControl.LOSE_REPLY);
    Cohort writer = newClient();
    createTree(writer);
    Cohort reader = newClient();
    Recorder recorder = new Recorder();
    TreeCache cache = cache(reader, recorder, true);
    awaitQuiet(cache);
    int from = recorder.events.size();

    // The next reply the reader gets is that of the read the write's event causes.
    fixture.loseNextReply(reader.session());
    writer.blocking().setData("/tree/b", bytes("b2"), -1);

    await().until(() -> cache.current("/tree/b").map(TreeCacheSuite::text).equals(Optional.of("b2")));
    awaitQuiet(cache);
    assertEquals(List.of("NODE_UPDATED /tree/b=b2"), recorder.since(from));
  }

  @ParameterizedTest(name = "persistent watches allowed: {0}")
  @ValueSource(booleans = {true, false})
  void closeRemovesEveryWatchTheCacheSet(boolean persistent) throws Exception {
    org.junit.jupiter.api.Assumptions.assumeTrue(watchEventsDelivered().isPresent() || registeredWatches().isPresent(),
        "needs a backend that counts watches or watch events");
    Cohort writer = newClient();
    createTree(writer);
    Cohort reader = newClient();
    OptionalInt watchesBefore = registeredWatches();
    TreeCache cache = cache(reader, new Recorder(), persistent);
    awaitQuiet(cache);
    registeredWatches().ifPresent(n -> assertTrue(n > watchesBefore.getAsInt(), "the cache set watches"));

    cache.close();
    reader.blocking().sync("/"); // removals were sent before this read, so they are done after it
    registeredWatches().ifPresent(n -> assertEquals(watchesBefore.getAsInt(), n, "every watch removed"));
    OptionalLong before = watchEventsDelivered();
    writer.blocking().setData("/tree/a/x", bytes("x2"), -1);
    writer.blocking().create("/tree/a/y", bytes(""), CreateMode.PERSISTENT);
    writer.blocking().delete("/tree/b", -1);
    writer.blocking().setData("/tree", bytes("r2"), -1);
    writer.blocking().sync("/");
    assertEquals(before, watchEventsDelivered(), "no watch fired after close");
  }

  @ParameterizedTest(name = "persistent watches allowed: {0}")
  @ValueSource(booleans = {true, false})
  void aMissingRootIsEmptyAndFillsWhenItAppears(boolean persistent) throws Exception {
    Cohort writer = newClient();
    Recorder recorder = new Recorder();
    TreeCache cache = cache(newClient(), recorder, persistent);
    assertEquals(List.of("INITIALIZED"), recorder.events);
    assertEquals(0, cache.size());

    writer.blocking().createWithParents("/tree/k", bytes("k1"), CreateMode.PERSISTENT);
    await().until(() -> cache.current("/tree/k").isPresent());
    writer.blocking().delete("/tree/k", -1);
    writer.blocking().delete("/tree", -1);
    await().until(() -> cache.size() == 0);
    awaitQuiet(cache);
    assertEquals(List.of("INITIALIZED", "NODE_ADDED /tree=", "NODE_ADDED /tree/k=k1", "NODE_REMOVED /tree/k=k1",
        "NODE_REMOVED /tree="), recorder.events);
  }

  @ParameterizedTest(name = "persistent watches allowed: {0}")
  @ValueSource(booleans = {true, false})
  void maxDepthLimitsWhatIsCachedAndReported(boolean persistent) throws Exception {
    Cohort writer = newClient();
    createTree(writer);
    Recorder recorder = new Recorder();
    TreeCache cache = started(TreeCache.builder(newClient(), "/tree").maxDepth(1).listener(recorder)
        .allowPersistentWatches(persistent));
    assertEquals(Map.of("/tree", "root", "/tree/a", "a1", "/tree/b", "b1"), contents(cache));

    writer.blocking().create("/tree/a/deep", bytes(""), CreateMode.PERSISTENT);
    writer.blocking().create("/tree/c", bytes("c1"), CreateMode.PERSISTENT);
    await().until(() -> cache.current("/tree/c").isPresent());
    awaitQuiet(cache);
    assertFalse(recorder.events.stream().anyMatch(e -> e.contains("/tree/a/")), recorder.events.toString());
    assertTrue(cache.current("/tree/a/deep").isEmpty());
  }

  @ParameterizedTest(name = "persistent watches allowed: {0}")
  @ValueSource(booleans = {true, false})
  void aStatOnlyCacheKeepsStatsButNoData(boolean persistent) throws Exception {
    Cohort writer = newClient();
    createTree(writer);
    TreeCache cache = started(TreeCache.builder(newClient(), "/tree").cacheData(false)
        .allowPersistentWatches(persistent));
    assertEquals(0, cache.current("/tree/a").orElseThrow().data().length);
    assertEquals(2, cache.current("/tree/a").orElseThrow().stat().dataLength());

    writer.blocking().setData("/tree/a", bytes("a-longer"), -1);
    await().until(() -> cache.current("/tree/a").orElseThrow().stat().dataLength() == 8);
    assertEquals(0, cache.current("/tree/a").orElseThrow().data().length);
  }

  @ParameterizedTest(name = "persistent watches allowed: {0}")
  @ValueSource(booleans = {true, false})
  void aNodeDeletedAndCreatedAgainIsReportedRemovedThenAdded(boolean persistent) throws Exception {
    Cohort writer = newClient();
    createTree(writer);
    Recorder recorder = new Recorder();
    TreeCache cache = cache(newClient(), recorder, persistent);
    awaitQuiet(cache);
    int from = recorder.events.size();

    writer.blocking().delete("/tree/b", -1);
    writer.blocking().create("/tree/b", bytes("b-again"), CreateMode.PERSISTENT);
    await().until(() -> cache.current("/tree/b").map(TreeCacheSuite::text).equals(Optional.of("b-again")));
    // Listeners are called after the cache changed: wait for the last expected event, not only the state.
    await().until(() -> recorder.since(from).contains("NODE_ADDED /tree/b=b-again"));
    awaitQuiet(cache);

    assertEquals(List.of("NODE_REMOVED /tree/b=b1", "NODE_ADDED /tree/b=b-again"), recorder.since(from));
  }

  @Test
  void listenersRunOnTheExecutorGiven() throws Exception {
    Cohort writer = newClient();
    createTree(writer);
    java.util.concurrent.ExecutorService executor = java.util.concurrent.Executors.newSingleThreadExecutor(
        r -> new Thread(r, "tree-listeners"));
    try {
      List<String> threads = new CopyOnWriteArrayList<>();
      started(TreeCache.builder(newClient(), "/tree").listenerExecutor(executor)
          .listener(e -> threads.add(Thread.currentThread().getName())));
      await().until(() -> threads.size() == 5);
      assertEquals(List.of("tree-listeners"), threads.stream().distinct().toList());
    } finally {
      executor.shutdownNow();
    }
  }

  @Test
  void misuseFailsAtOnceWithATypedException() throws Exception {
    Cohort client = newClient();
    assertThrows(InvalidPathException.class, () -> TreeCache.builder(client, "no-slash"));
    assertThrows(IllegalArgumentException.class, () -> TreeCache.builder(client, "/t").maxDepth(-1));
    assertThrows(IllegalArgumentException.class, () -> TreeCache.builder(client, "/t").maxConcurrentReads(0));

    TreeCache cache = started(TreeCache.builder(client, "/t"));
    assertThrows(IllegalStateException.class, cache::start, "started twice");
    assertThrows(InvalidPathException.class, () -> cache.current("bad"));
    cache.close();
    assertThrows(IllegalStateException.class, cache::start, "started after close");

    Cohort closed = newClient();
    closed.close();
    TreeCache onClosed = TreeCache.builder(closed, "/t").build();
    assertThrows(IllegalStateException.class, onClosed::start, "closed client");
    assertFalse(onClosed.isInitialized());
  }

  @Test
  void manyNodesLoadWithBoundedConcurrency() throws Exception {
    Cohort writer = newClient();
    List<java.util.concurrent.CompletableFuture<?>> creates = new ArrayList<>();
    for (int i = 0; i < 20; i++) {
      writer.blocking().createWithParents("/tree/n" + i, bytes(""), CreateMode.PERSISTENT);
      for (int j = 0; j < 10; j++) {
        creates.add(writer.async().create("/tree/n" + i + "/m" + j, bytes(i + "." + j), CreateMode.PERSISTENT));
      }
    }
    java.util.concurrent.CompletableFuture.allOf(creates.toArray(java.util.concurrent.CompletableFuture[]::new))
        .get(30, java.util.concurrent.TimeUnit.SECONDS);
    TreeCache cache = started(TreeCache.builder(newClient(), "/tree").maxConcurrentReads(3));
    assertEquals(1 + 20 + 200, cache.size());
    assertEquals("7.3", text(cache.current("/tree/n7/m3").orElseThrow()));
  }
}
