package dev.cohort.etcd;

import static dev.cohort.spi.WatchEvent.Type.NODE_CREATED;
import static dev.cohort.spi.WatchEvent.Type.NODE_DATA_CHANGED;
import static dev.cohort.spi.WatchEvent.Type.NODE_DELETED;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import dev.cohort.spi.Capability;
import dev.cohort.spi.CreateMode;
import dev.cohort.spi.Op;
import dev.cohort.spi.Session;
import dev.cohort.spi.SessionState;
import dev.cohort.spi.WatchEvent;
import dev.cohort.spi.WatchMode;
import dev.cohort.tck.BackendFixture;
import dev.cohort.tck.ConformanceSuite;
import dev.cohort.tck.RecordingWatcher;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * What etcd's persistent watches do beyond the TCK: they resume after a disconnect from the last
 * revision handled (ZooKeeper drops what happened meanwhile), and another session's multi reaches
 * them as its net change per node (no {@link Capability#MULTI_EVENTS_PER_OP}).
 */
class EtcdPersistentWatchTest extends ConformanceSuite {

  @Override
  protected BackendFixture newFixture() {
    return new EtcdFixture();
  }

  private static WatchEvent event(WatchEvent.Type type, String path) {
    return new WatchEvent(type, path);
  }

  private static void assertEventsSettled(RecordingWatcher w, Session s, List<WatchEvent> expected, String... paths) {
    waitFor().until(() -> w.count() >= expected.size());
    settle(s, paths);
    assertEquals(expected, w.events());
  }

  @Test
  void changesMadeWhileCutOffArriveAfterTheReconnectInOrder() {
    Session s = open();
    Session writer = open();
    create(writer, "/r", "");
    RecordingWatcher w = new RecordingWatcher();
    get(s.sync("/"));
    get(s.addWatch("/r", WatchMode.PERSISTENT_RECURSIVE, w));
    fixture.disconnect(s);
    awaitState(s, SessionState.SUSPENDED);
    create(writer, "/r/a", "");
    get(writer.setData("/r/a", bytes("x"), -1));
    get(writer.delete("/r/a", -1));
    settle(writer, "/r");
    assertEquals(List.of(), w.events(), "nothing is delivered while suspended");
    fixture.reconnect(s);
    awaitState(s, SessionState.RECONNECTED);
    get(writer.setData("/r", bytes("after"), -1));
    assertEventsSettled(w, s, List.of(
        event(NODE_CREATED, "/r/a"), event(NODE_DATA_CHANGED, "/r/a"), event(NODE_DELETED, "/r/a"),
        event(NODE_DATA_CHANGED, "/r")), "/r", "/r/a");
  }

  @Test
  void anotherSessionsMultiReachesAPersistentWatchAsItsNetChange() {
    assertFalse(fixture.backend().has(Capability.MULTI_EVENTS_PER_OP));
    Session s = open();
    Session writer = open();
    create(writer, "/a", "");
    create(writer, "/b", "");
    RecordingWatcher onA = new RecordingWatcher();
    RecordingWatcher onB = new RecordingWatcher();
    get(s.sync("/"));
    get(s.addWatch("/a", WatchMode.PERSISTENT, onA));
    get(s.addWatch("/b", WatchMode.PERSISTENT, onB));
    get(writer.multi(List.of(Op.setData("/a", bytes("released"), -1), Op.delete("/a", -1))));
    get(writer.multi(List.of(Op.delete("/b", -1), Op.create("/b", bytes("again"), CreateMode.PERSISTENT))));
    assertEventsSettled(onA, s, List.of(event(NODE_DELETED, "/a")), "/a");
    assertEventsSettled(onB, s, List.of(event(NODE_DELETED, "/b"), event(NODE_CREATED, "/b")), "/b");
  }

  /**
   * Regression: etcd's watch stream often shows the writer's own folded write (one delete) before
   * the transaction's reply arrives, and the one-shot watch fired NODE_DELETED from it. Its own
   * watches must see the multi op by op; repeated because it is a race.
   */
  @Test
  void ownMultiFiresOwnOneShotWatchOpByOpEvenWhenEtcdShowsItFirst() {
    Session s = open();
    create(s, "/p", "");
    for (int i = 0; i < 30; i++) {
      String path = "/p/n" + i;
      create(s, path, "");
      RecordingWatcher data = new RecordingWatcher();
      get(s.getData(path, data));
      get(s.multi(List.of(Op.setData(path, bytes("released"), -1), Op.delete(path, -1))));
      assertEventsSettled(data, s, List.of(event(NODE_DATA_CHANGED, path)), path);
    }
  }

  /**
   * The namespace stream shows the writer's own revisions too, often before the reply: they must
   * not be reported a second time (nor as the net change). Repeated because it is a race.
   */
  @Test
  void ownMultiFiresOwnPersistentWatchOnceOpByOpEvenWhenEtcdShowsItFirst() {
    Session s = open();
    create(s, "/p", "");
    RecordingWatcher tree = new RecordingWatcher();
    get(s.addWatch("/p", WatchMode.PERSISTENT_RECURSIVE, tree));
    List<WatchEvent> expected = new java.util.ArrayList<>();
    for (int i = 0; i < 30; i++) {
      String path = "/p/n" + i;
      get(s.multi(List.of(
          Op.create(path, bytes(""), CreateMode.PERSISTENT),
          Op.setData(path, bytes("first"), -1))));
      get(s.setData(path, bytes("second"), -1));
      expected.addAll(List.of(
          event(NODE_CREATED, path), event(NODE_DATA_CHANGED, path), event(NODE_DATA_CHANGED, path)));
    }
    assertEventsSettled(tree, s, expected, "/p");
  }

  @Test
  void persistentWatchesShareOneEtcdWatchThatGoesWithTheLastOfThem() {
    EtcdBackend backend = (EtcdBackend) fixture.backend();
    Session s = open();
    RecordingWatcher one = new RecordingWatcher();
    RecordingWatcher two = new RecordingWatcher();
    get(s.addWatch("/a", WatchMode.PERSISTENT, one));
    get(s.addWatch("/a", WatchMode.PERSISTENT, one));
    get(s.addWatch("/b", WatchMode.PERSISTENT_RECURSIVE, two));
    assertEquals(2, backend.registeredWatches(), "a watcher added twice on one path and mode is held once");
    get(s.removeWatches("/a", one));
    get(s.removeWatches("/b", two));
    assertEquals(0, backend.registeredWatches());
    create(open(), "/a", "");
    settle(s, "/a");
    assertEquals(List.of(), one.events());
  }
}
