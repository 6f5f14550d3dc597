package dev.cohort.recipes.node;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cohort.recipes.Cohort;
import dev.cohort.recipes.RecipeSuiteSupport;
import dev.cohort.spi.Capability;
import dev.cohort.spi.CreateMode;
import dev.cohort.spi.NodeData;
import dev.cohort.spi.Session;
import dev.cohort.spi.Stat;
import dev.cohort.spi.TimeSource;
import dev.cohort.spi.UnimplementedException;
import dev.cohort.tck.FaultControl;
import dev.cohort.tck.Requirements;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * {@link PersistentNode} and {@link PersistentTtlNode} on every backend: the node is kept present
 * through deletion by others, session loss, disconnects and lost replies, with the recipe's latest
 * data; TTL nodes live while touched and go once the touches stop.
 */
public abstract class PersistentNodeSuite extends RecipeSuiteSupport {

  private static final Duration WAIT = Duration.ofSeconds(20);

  /**
   * The clock the recipe clients run on: the fixture's virtual clock where the service's time is
   * virtual (then TTL touches and TTL expiry move together), null for the system clock.
   */
  protected TimeSource clientClock() {
    return null;
  }

  private Cohort client() {
    TimeSource clock = clientClock();
    return clock == null ? newClient() : newClient(Cohort.builder(fixture.backend()).timeSource(clock));
  }

  private boolean virtualTime() {
    return clientClock() != null && fixture.supports(FaultControl.VIRTUAL_TIME);
  }

  private static byte[] bytes(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  private Session observer;

  private Session observer() {
    if (observer == null || observer.state().isTerminal()) {
      observer = fixture.openSession(SESSION_TIMEOUT);
    }
    return observer;
  }

  private NodeData read(String path) throws Exception {
    return observer().getData(fullPath(path)).get(10, TimeUnit.SECONDS);
  }

  private Stat stat(String path) throws Exception {
    Session o = observer();
    o.sync(fullPath(path)).get(10, TimeUnit.SECONDS);
    return o.exists(fullPath(path)).get(10, TimeUnit.SECONDS);
  }

  private void deleteAsSomeoneElse(String path) throws Exception {
    observer().delete(fullPath(path), -1).get(10, TimeUnit.SECONDS);
  }

  private void awaitData(String path, String expected) {
    await().atMost(WAIT).until(() -> {
      Stat s = stat(path);
      return s != null && expected.equals(new String(read(path).data(), StandardCharsets.UTF_8));
    });
  }

  // ---- PersistentNode ------------------------------------------------------------------------

  @Test
  public void ephemeralNodeIsCreatedWithItsDataAndAwaitCreatedSeesIt() throws Exception {
    Cohort c = client();
    try (PersistentNode node = PersistentNode.ephemeral(c, "/svc/a", bytes("one"))) {
      node.start();
      assertTrue(node.awaitCreated(WAIT));
      assertEquals("/svc/a", node.actualPath().orElseThrow());
      Stat s = stat("/svc/a");
      assertEquals(c.sessionId(), s.ephemeralOwner());
      assertArrayEquals(bytes("one"), read("/svc/a").data());
    }
  }

  @Test
  public void nodeDeletedBySomeoneElseComesBackWithTheCurrentData() throws Exception {
    Cohort c = client();
    try (PersistentNode node = PersistentNode.ephemeral(c, "/svc/a", bytes("one"))) {
      node.start();
      assertTrue(node.awaitCreated(WAIT));
      node.setData(bytes("two")).get(10, TimeUnit.SECONDS);
      assertArrayEquals(bytes("two"), read("/svc/a").data());

      deleteAsSomeoneElse("/svc/a");

      awaitData("/svc/a", "two");
      assertEquals(c.sessionId(), stat("/svc/a").ephemeralOwner());
    }
  }

  @Test
  public void nodeComesBackOnTheNewSessionAfterExpiry() throws Exception {
    requireFaults(FaultControl.EXPIRE);
    Cohort c = client();
    try (PersistentNode node = PersistentNode.ephemeral(c, "/svc/a", bytes("one"))) {
      node.start();
      assertTrue(node.awaitCreated(WAIT));
      long first = c.sessionId();

      fixture.expire(c.session());

      await().atMost(WAIT).until(() -> {
        Stat s = stat("/svc/a");
        return s != null && s.ephemeralOwner() != first && s.ephemeralOwner() == c.sessionId();
      });
      assertArrayEquals(bytes("one"), read("/svc/a").data());
      assertEquals("/svc/a", node.actualPath().orElseThrow());
    }
  }

  @Test
  public void dataSetWhileDisconnectedIsWrittenAfterTheReconnect() throws Exception {
    requireFaults(FaultControl.DISCONNECT);
    Cohort c = client();
    try (PersistentNode node = PersistentNode.ephemeral(c, "/svc/a", bytes("one"))) {
      node.start();
      assertTrue(node.awaitCreated(WAIT));
      long session = c.sessionId();
      fixture.disconnect(c.session());

      var written = node.setData(bytes("two"));
      assertArrayEquals(bytes("two"), node.getData());
      fixture.reconnect(c.session());

      written.get(WAIT.toSeconds(), TimeUnit.SECONDS);
      assertArrayEquals(bytes("two"), read("/svc/a").data());
      assertEquals(session, stat("/svc/a").ephemeralOwner());
    }
  }

  @Test
  public void lostReplyOfTheProtectedCreateLeavesExactlyOneNode() throws Exception {
    requireFaults(FaultControl.LOSE_REPLY);
    Cohort c = client();
    fixture.loseNextReply(c.session());
    try (PersistentNode node = PersistentNode.protectedSequential(c, "/workers/w-", bytes("one"))) {
      node.start();
      assertTrue(node.awaitCreated(WAIT));
      String path = node.actualPath().orElseThrow();
      assertTrue(path.startsWith("/workers/"), path);
      assertEquals(List.of(path.substring("/workers/".length())), childrenOf("/workers"));
    }
  }

  @Test
  public void lostReplyOfThePlainCreateAdoptsTheNodeOfItsOwnSession() throws Exception {
    requireFaults(FaultControl.LOSE_REPLY);
    Cohort c = client();
    // The parent exists, so the first request the recipe sends is the create.
    observer().create(fullPath(""), new byte[0], CreateMode.PERSISTENT).exceptionally(e -> null).get(10, TimeUnit.SECONDS);
    observer().create(fullPath("/svc"), new byte[0], CreateMode.PERSISTENT).get(10, TimeUnit.SECONDS);
    fixture.loseNextReply(c.session());
    try (PersistentNode node = PersistentNode.ephemeral(c, "/svc/a", bytes("one"))) {
      node.start();
      assertTrue(node.awaitCreated(WAIT));
      assertEquals(c.sessionId(), stat("/svc/a").ephemeralOwner());
      assertEquals(List.of("a"), childrenOf("/svc"));
    }
  }

  @Test
  public void protectedNodeTellsListenersEachPathItIsCreatedAt() throws Exception {
    Cohort c = client();
    List<String> created = new CopyOnWriteArrayList<>();
    try (PersistentNode node = PersistentNode.protectedSequential(c, "/workers/w-", bytes("one"))) {
      node.addListener(created::add);
      node.start();
      assertTrue(node.awaitCreated(WAIT));
      String first = node.actualPath().orElseThrow();
      await().atMost(WAIT).until(() -> created.equals(List.of(first)));

      deleteAsSomeoneElse(first);

      await().atMost(WAIT).until(() -> created.size() == 2);
      String second = created.get(1);
      assertNotEquals(first, second);
      assertEquals(second, node.actualPath().orElseThrow());
      assertEquals(List.of(second.substring("/workers/".length())), childrenOf("/workers"));
      assertArrayEquals(bytes("one"), read(second).data());
    }
  }

  @Test
  public void aNodeOfAnotherSessionIsNotAdoptedButReplacedOnceItGoes() throws Exception {
    Session other = fixture.openSession(SESSION_TIMEOUT);
    other.create(fullPath(""), new byte[0], CreateMode.PERSISTENT).exceptionally(e -> null).get(10, TimeUnit.SECONDS);
    other.create(fullPath("/svc"), new byte[0], CreateMode.PERSISTENT).get(10, TimeUnit.SECONDS);
    other.create(fullPath("/svc/a"), bytes("theirs"), CreateMode.EPHEMERAL).get(10, TimeUnit.SECONDS);
    Cohort c = client();
    try (PersistentNode node = PersistentNode.ephemeral(c, "/svc/a", bytes("ours"))) {
      node.start();
      await().during(Duration.ofMillis(300)).atMost(WAIT).until(() ->
          node.actualPath().isEmpty() && stat("/svc/a").ephemeralOwner() == other.id());
      assertArrayEquals(bytes("theirs"), read("/svc/a").data());

      other.close();

      assertTrue(node.awaitCreated(WAIT));
      awaitData("/svc/a", "ours");
      assertEquals(c.sessionId(), stat("/svc/a").ephemeralOwner());
    }
  }

  @Test
  public void closeDeletesTheNodeAndStopsRecreatingIt() throws Exception {
    Cohort c = client();
    PersistentNode node = PersistentNode.protectedSequential(c, "/workers/w-", bytes("one"));
    node.start();
    assertTrue(node.awaitCreated(WAIT));

    node.close();

    awaitChildren("/workers", 0);
    assertTrue(node.actualPath().isEmpty());
    assertThrows(IllegalStateException.class, () -> node.setData(bytes("x")));
    node.close(); // idempotent
  }

  @Test
  public void misuseIsRefusedAtOnce() throws Exception {
    Cohort c = client();
    assertThrows(NullPointerException.class, () -> PersistentNode.ephemeral(c, "/a", null));
    assertThrows(IllegalArgumentException.class, () -> PersistentNode.ephemeral(c, "no-slash", new byte[0]));
    assertThrows(IllegalArgumentException.class, () -> PersistentNode.protectedSequential(c, "/", new byte[0]));
    PersistentNode node = PersistentNode.ephemeral(c, "/svc/a", new byte[0]);
    assertThrows(IllegalStateException.class, () -> node.awaitCreated(Duration.ZERO), "not started");
    node.start();
    assertThrows(IllegalStateException.class, node::start, "second start");
    node.close();
    assertThrows(IllegalStateException.class, node::start, "start after close");
  }

  // ---- PersistentTtlNode ---------------------------------------------------------------------

  private static final Duration TTL = Duration.ofSeconds(2);

  @Test
  public void ttlNodeIsRefusedWhereTheBackendHasNoTtlNodes() {
    Requirements.requireMissingCapability(fixture, Capability.TTL_NODES);
    Cohort c = client();
    assertThrows(UnimplementedException.class, () -> new PersistentTtlNode(c, "/t", TTL, bytes("one")));
    assertFalse(exists("/t"));
  }

  @Test
  public void ttlNodeStaysForManyTtlsWhileTouched() throws Exception {
    Requirements.requireCapability(fixture, Capability.TTL_NODES);
    Cohort c = client();
    try (PersistentTtlNode node = new PersistentTtlNode(c, "/ttl/a", TTL, bytes("one"))) {
      node.start();
      assertTrue(node.awaitCreated(WAIT));
      assertEquals(TTL.dividedBy(2), node.touchPeriod());
      Duration span = TTL.multipliedBy(4);
      if (virtualTime()) {
        for (Duration passed = Duration.ZERO; passed.compareTo(span) < 0; passed = passed.plus(node.touchPeriod())) {
          int version = stat("/ttl/a").version();
          fixture.advanceTime(node.touchPeriod());
          await().atMost(WAIT).until(() -> {
            Stat s = stat("/ttl/a");
            return s != null && s.version() > version;
          });
        }
      } else {
        await().during(span).atMost(span.plus(WAIT)).until(() -> stat("/ttl/a") != null);
      }
      assertArrayEquals(bytes("one"), read("/ttl/a").data());
    }
  }

  @Test
  public void ttlNodeGoesOnceItsClientStopsTouchingIt() throws Exception {
    Requirements.requireCapability(fixture, Capability.TTL_NODES);
    Cohort c = client();
    PersistentTtlNode node = new PersistentTtlNode(c, "/ttl/a", TTL, bytes("one"));
    node.start();
    assertTrue(node.awaitCreated(WAIT));

    c.close(); // as if the process died: nothing deletes the node, only its TTL can

    assertTrue(exists("/ttl/a"));
    await().atMost(fixture.backgroundWorkTimeout().plus(TTL)).pollInterval(Duration.ofMillis(50)).until(() -> {
      if (fixture.supports(FaultControl.VIRTUAL_TIME)) {
        fixture.advanceTime(Duration.ofSeconds(1));
      }
      return stat("/ttl/a") == null;
    });
    node.close();
  }

  @Test
  public void ttlNodeDeletedBySomeoneElseComesBackWithTheCurrentData() throws Exception {
    Requirements.requireCapability(fixture, Capability.TTL_NODES);
    Cohort c = client();
    try (PersistentTtlNode node = new PersistentTtlNode(c, "/ttl/a", TTL, bytes("one"))) {
      node.start();
      assertTrue(node.awaitCreated(WAIT));
      node.setData(bytes("two")).get(10, TimeUnit.SECONDS);
      assertArrayEquals(bytes("two"), read("/ttl/a").data());

      deleteAsSomeoneElse("/ttl/a");
      if (virtualTime()) {
        fixture.advanceTime(node.touchPeriod());
      }

      awaitData("/ttl/a", "two");
    }
  }

  @Test
  public void ttlNodeSurvivesItsClientsSessionExpiry() throws Exception {
    Requirements.requireCapability(fixture, Capability.TTL_NODES);
    requireFaults(FaultControl.EXPIRE);
    Cohort c = client();
    try (PersistentTtlNode node = new PersistentTtlNode(c, "/ttl/a", TTL, bytes("one"))) {
      node.start();
      assertTrue(node.awaitCreated(WAIT));
      long first = c.sessionId();
      fixture.expire(c.session());
      await().atMost(WAIT).until(() -> c.sessionId() != first && c.connectionState().isConnected());

      node.setData(bytes("two")).get(WAIT.toSeconds(), TimeUnit.SECONDS);
      assertArrayEquals(bytes("two"), read("/ttl/a").data());
    }
  }

  @Test
  public void ttlNodeCloseDeletesIt() throws Exception {
    Requirements.requireCapability(fixture, Capability.TTL_NODES);
    Cohort c = client();
    PersistentTtlNode node = new PersistentTtlNode(c, "/ttl/a", TTL, bytes("one"));
    node.start();
    assertTrue(node.awaitCreated(WAIT));
    node.close();
    await().atMost(WAIT).until(() -> stat("/ttl/a") == null);
    assertThrows(IllegalStateException.class, () -> node.setData(bytes("x")));
  }

  @Test
  public void ttlNodeMisuseIsRefusedAtOnce() {
    Requirements.requireCapability(fixture, Capability.TTL_NODES);
    Cohort c = client();
    assertThrows(IllegalArgumentException.class, () -> new PersistentTtlNode(c, "/t", Duration.ZERO, new byte[0]));
    assertThrows(IllegalArgumentException.class, () -> new PersistentTtlNode(c, "/t", Duration.ofMillis(-1), new byte[0]));
    assertThrows(NullPointerException.class, () -> new PersistentTtlNode(c, "/t", TTL, null));
    assertFalse(exists("/t"));
  }
}
