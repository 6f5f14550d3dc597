package dev.cohort.zookeeper;

import static dev.cohort.zookeeper.Futures.join;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cohort.spi.CreateMode;
import dev.cohort.spi.Session;
import dev.cohort.spi.WatchEvent;
import dev.cohort.spi.WatchEvent.Type;
import dev.cohort.spi.WatchMode;
import dev.cohort.spi.Watcher;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * One-shot and persistent watches against a real server. A watch that must not fire is checked
 * after a later event on the same session has been seen, since ZooKeeper delivers a session's
 * events in order: anything the first change triggered would have arrived before.
 */
class ZooKeeperWatchesTest {

  private ZooKeeperFixture fixture;
  private Session session;
  private Session other;

  @BeforeEach
  void start() {
    fixture = new ZooKeeperFixture();
    session = fixture.openSession();
    other = fixture.openSession();
  }

  @AfterEach
  void stop() {
    fixture.close();
  }

  /** A watcher that records what it is told. */
  private static final class Recorder implements Watcher {
    final List<WatchEvent> events = new CopyOnWriteArrayList<>();

    @Override
    public void process(WatchEvent event) {
      events.add(event);
    }

    void awaitEvents(int count) {
      await().atMost(Duration.ofSeconds(10)).until(() -> events.size() >= count);
    }
  }

  /** Sets a one-shot exists watch on a fresh node and waits for it: a marker for "all earlier events are in". */
  private void flushEvents(String marker) {
    Recorder flush = new Recorder();
    join(session.exists(marker, flush));
    join(other.create(marker, new byte[0], CreateMode.PERSISTENT));
    flush.awaitEvents(1);
  }

  @Test
  void dataWatchFiresOnceThenIsGone() {
    join(other.create("/w", new byte[0], CreateMode.PERSISTENT));
    Recorder w = new Recorder();
    join(session.getData("/w", w));

    join(other.setData("/w", new byte[] {1}, -1));
    join(other.setData("/w", new byte[] {2}, -1));
    flushEvents("/flush");

    assertEquals(List.of(new WatchEvent(Type.NODE_DATA_CHANGED, "/w")), w.events);
  }

  @Test
  void existsWatchOnMissingNodeFiresNodeCreated() {
    Recorder w = new Recorder();
    join(session.exists("/later", w));

    join(other.create("/later", new byte[0], CreateMode.PERSISTENT));

    w.awaitEvents(1);
    assertEquals(new WatchEvent(Type.NODE_CREATED, "/later"), w.events.get(0));
  }

  @Test
  void getDataOnMissingNodeSetsNoWatch() {
    Recorder w = new Recorder();
    Futures.failure(dev.cohort.spi.NoNodeException.class, session.getData("/absent", w));

    join(other.create("/absent", new byte[0], CreateMode.PERSISTENT));
    flushEvents("/flush");

    assertEquals(List.of(), w.events);
  }

  @Test
  void childWatchFiresOnChildCreateAndDeleteOfTheNodeFiresDeleted() {
    join(other.create("/parent", new byte[0], CreateMode.PERSISTENT));
    Recorder children = new Recorder();
    Recorder data = new Recorder();
    join(session.getChildren("/parent", children));

    join(other.create("/parent/kid", new byte[0], CreateMode.EPHEMERAL));
    children.awaitEvents(1);
    join(session.getChildren("/parent", children));
    join(session.getData("/parent/kid", data));
    join(other.delete("/parent/kid", -1));

    children.awaitEvents(2);
    data.awaitEvents(1);
    assertEquals(List.of(new WatchEvent(Type.NODE_CHILDREN_CHANGED, "/parent"),
        new WatchEvent(Type.NODE_CHILDREN_CHANGED, "/parent")), children.events);
    assertEquals(List.of(new WatchEvent(Type.NODE_DELETED, "/parent/kid")), data.events);
  }

  @Test
  void sameWatcherSetByExistsAndGetDataFiresOnce() {
    join(other.create("/twice", new byte[0], CreateMode.PERSISTENT));
    Recorder w = new Recorder();
    join(session.exists("/twice", w));
    join(session.getData("/twice", w));

    join(other.setData("/twice", new byte[] {1}, -1));
    flushEvents("/flush");

    assertEquals(List.of(new WatchEvent(Type.NODE_DATA_CHANGED, "/twice")), w.events);
  }

  @Test
  void sessionSeesTheWatchEventBeforeTheDataOfTheChange() {
    join(other.create("/order", "old".getBytes(StandardCharsets.UTF_8), CreateMode.PERSISTENT));
    Recorder w = new Recorder();
    join(session.getData("/order", w));
    join(other.setData("/order", "new".getBytes(StandardCharsets.UTF_8), -1));

    // The read's completion runs on the session's event thread; if it shows the new data, the event
    // must already have been delivered.
    boolean eventFirst = join(session.getData("/order").thenApply(d ->
        !new String(d.data(), StandardCharsets.UTF_8).equals("new") || !w.events.isEmpty()));

    assertTrue(eventFirst);
  }

  @Test
  void persistentWatchStaysAfterFiringAndReportsChildren() {
    Recorder w = new Recorder();
    join(session.addWatch("/p", WatchMode.PERSISTENT, w));

    join(other.create("/p", new byte[0], CreateMode.PERSISTENT));
    join(other.setData("/p", new byte[] {1}, -1));
    join(other.create("/p/c", new byte[0], CreateMode.PERSISTENT));
    join(other.create("/p/c/grandchild", new byte[0], CreateMode.PERSISTENT));
    join(other.delete("/p/c/grandchild", -1));
    join(other.delete("/p/c", -1));
    join(other.delete("/p", -1));

    w.awaitEvents(5);
    flushEvents("/flush");
    assertEquals(List.of(
        new WatchEvent(Type.NODE_CREATED, "/p"),
        new WatchEvent(Type.NODE_DATA_CHANGED, "/p"),
        new WatchEvent(Type.NODE_CHILDREN_CHANGED, "/p"),
        new WatchEvent(Type.NODE_CHILDREN_CHANGED, "/p"),
        new WatchEvent(Type.NODE_DELETED, "/p")), w.events);
  }

  @Test
  void recursiveWatchReportsEveryDescendantAndNeverChildrenChanged() {
    join(other.create("/r", new byte[0], CreateMode.PERSISTENT));
    Recorder w = new Recorder();
    join(session.addWatch("/r", WatchMode.PERSISTENT_RECURSIVE, w));

    join(other.create("/r/a", new byte[0], CreateMode.PERSISTENT));
    join(other.create("/r/a/b", new byte[0], CreateMode.PERSISTENT));
    join(other.setData("/r/a/b", new byte[] {1}, -1));
    join(other.delete("/r/a/b", -1));

    w.awaitEvents(4);
    flushEvents("/flush");
    assertEquals(List.of(
        new WatchEvent(Type.NODE_CREATED, "/r/a"),
        new WatchEvent(Type.NODE_CREATED, "/r/a/b"),
        new WatchEvent(Type.NODE_DATA_CHANGED, "/r/a/b"),
        new WatchEvent(Type.NODE_DELETED, "/r/a/b")), w.events);
  }

  @Test
  void removeWatchesStopsEventsSilentlyAndToleratesAbsentWatches() {
    join(other.create("/rm", new byte[0], CreateMode.PERSISTENT));
    Recorder oneShot = new Recorder();
    Recorder persistent = new Recorder();
    join(session.getData("/rm", oneShot));
    join(session.addWatch("/rm", WatchMode.PERSISTENT, persistent));

    join(session.removeWatches("/rm", oneShot));
    join(session.removeWatches("/rm", persistent));
    join(session.removeWatches("/rm", new Recorder()));
    join(session.removeWatches("/never-watched", oneShot));
    join(other.setData("/rm", new byte[] {1}, -1));
    flushEvents("/flush");

    assertEquals(List.of(), oneShot.events, "no event, not even one for the removal");
    assertEquals(List.of(), persistent.events);
  }

  @Test
  void watchesSurviveADisconnectAndFireForChangesMadeMeanwhile() {
    join(other.create("/held", new byte[0], CreateMode.PERSISTENT));
    Recorder w = new Recorder();
    join(session.getData("/held", w));

    fixture.disconnect(session);
    join(other.setData("/held", new byte[] {1}, -1));
    fixture.reconnect(session);

    w.awaitEvents(1);
    assertEquals(List.of(new WatchEvent(Type.NODE_DATA_CHANGED, "/held")), w.events,
        "only node events reach watchers; the disconnect itself is a state change");
  }

  @Test
  void failingWatcherDoesNotStopLaterEvents() {
    join(other.create("/boom", new byte[0], CreateMode.PERSISTENT));
    join(session.getData("/boom", e -> {
      throw new IllegalStateException("watcher bug");
    }));
    Recorder after = new Recorder();
    join(session.exists("/after", after));

    join(other.setData("/boom", new byte[] {1}, -1));
    join(other.create("/after", new byte[0], CreateMode.PERSISTENT));

    after.awaitEvents(1);
    assertEquals(Type.NODE_CREATED, after.events.get(0).type());
  }
}
