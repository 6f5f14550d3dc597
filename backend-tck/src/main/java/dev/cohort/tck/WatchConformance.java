package dev.cohort.tck;

import static dev.cohort.spi.WatchEvent.Type.NODE_CHILDREN_CHANGED;
import static dev.cohort.spi.WatchEvent.Type.NODE_CREATED;
import static dev.cohort.spi.WatchEvent.Type.NODE_DATA_CHANGED;
import static dev.cohort.spi.WatchEvent.Type.NODE_DELETED;
import static dev.cohort.tck.Requirements.requireCapability;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cohort.spi.Capability;
import dev.cohort.spi.CreateMode;
import dev.cohort.spi.ErrorCode;
import dev.cohort.spi.Op;
import dev.cohort.spi.Session;
import dev.cohort.spi.WatchEvent;
import java.util.List;
import org.awaitility.core.ConditionTimeoutException;
import org.junit.jupiter.api.Test;

/**
 * One-shot watches (checklist lines 21-23): which read sets which watch, which write fires which
 * watch with which event, that a watch fires once, and that one watcher registered twice on a path
 * fires once. Absence of an event is checked only after {@link #settle} has made every earlier
 * event due.
 */
public abstract class WatchConformance extends ConformanceSuite {

  /**
   * Waits until {@code watcher} has had at least as many events as {@code expected}, lets {@code
   * session} settle on {@code paths} (so that any further event for those paths is due), and then
   * asserts that the events are exactly {@code expected}, in order.
   */
  protected static void assertEvents(RecordingWatcher watcher, Session session, List<WatchEvent> expected, String... paths) {
    try {
      waitFor().until(() -> watcher.count() >= expected.size());
    } catch (ConditionTimeoutException e) {
      assertEquals(expected, watcher.events(), "events that arrived within " + TIMEOUT);
    }
    settle(session, paths);
    assertEquals(expected, watcher.events());
  }

  private static WatchEvent event(WatchEvent.Type type, String path) {
    return new WatchEvent(type, path);
  }

  @Test
  public void getDataWatchFiresOnceOnSetDataThenIsGone() {
    Session watcherSession = open();
    Session writer = open();
    create(writer, "/a", "v0");
    RecordingWatcher w = new RecordingWatcher();
    get(watcherSession.sync("/"));
    get(watcherSession.getData("/a", w));
    get(writer.setData("/a", bytes("v1"), -1));
    get(writer.setData("/a", bytes("v2"), -1));
    assertEvents(w, watcherSession, List.of(event(NODE_DATA_CHANGED, "/a")), "/a");
    assertEquals("v2", read(watcherSession, "/a"), "the event carries no data: re-read to see the latest");
  }

  @Test
  public void getDataWatchFiresNodeDeletedWhenTheNodeGoes() {
    Session s = open();
    Session writer = open();
    create(writer, "/a", "");
    RecordingWatcher w = new RecordingWatcher();
    get(s.sync("/"));
    get(s.getData("/a", w));
    get(writer.delete("/a", -1));
    assertEvents(w, s, List.of(event(NODE_DELETED, "/a")), "/a");
  }

  @Test
  public void existsWatchOnAMissingNodeFiresNodeCreated() {
    Session s = open();
    Session writer = open();
    RecordingWatcher w = new RecordingWatcher();
    get(s.sync("/"));
    assertNull(get(s.exists("/a", w)));
    create(writer, "/a", "");
    assertEvents(w, s, List.of(event(NODE_CREATED, "/a")), "/a");
  }

  @Test
  public void existsWatchOnAnExistingNodeFiresDataChangedAndDeleted() {
    Session s = open();
    Session writer = open();
    create(writer, "/a", "");
    RecordingWatcher changed = new RecordingWatcher();
    get(s.sync("/"));
    get(s.exists("/a", changed));
    get(writer.setData("/a", bytes("x"), -1));
    assertEvents(changed, s, List.of(event(NODE_DATA_CHANGED, "/a")), "/a");
    RecordingWatcher deleted = new RecordingWatcher();
    get(s.exists("/a", deleted));
    get(writer.delete("/a", -1));
    assertEvents(deleted, s, List.of(event(NODE_DELETED, "/a")), "/a");
  }

  @Test
  public void getDataOnAMissingNodeSetsNoWatch() {
    Session s = open();
    Session writer = open();
    RecordingWatcher viaGetData = new RecordingWatcher();
    RecordingWatcher viaExists = new RecordingWatcher();
    assertFails(ErrorCode.NO_NODE, s.getData("/a", viaGetData));
    get(s.sync("/"));
    get(s.exists("/a", viaExists));
    create(writer, "/a", "");
    assertEvents(viaExists, s, List.of(event(NODE_CREATED, "/a")), "/a");
    assertEquals(List.of(), viaGetData.events());
  }

  @Test
  public void getChildrenOnAMissingNodeSetsNoWatch() {
    Session s = open();
    Session writer = open();
    RecordingWatcher viaChildren = new RecordingWatcher();
    RecordingWatcher viaExists = new RecordingWatcher();
    assertFails(ErrorCode.NO_NODE, s.getChildren("/p", viaChildren));
    get(s.sync("/"));
    get(s.exists("/p", viaExists));
    create(writer, "/p", "");
    create(writer, "/p/c", "");
    assertEvents(viaExists, s, List.of(event(NODE_CREATED, "/p")), "/p");
    assertEquals(List.of(), viaChildren.events());
  }

  @Test
  public void childWatchFiresChildrenChangedOnChildCreate() {
    Session s = open();
    Session writer = open();
    create(writer, "/p", "");
    RecordingWatcher w = new RecordingWatcher();
    get(s.sync("/"));
    get(s.getChildren("/p", w));
    create(writer, "/p/c", "");
    create(writer, "/p/d", "");
    assertEvents(w, s, List.of(event(NODE_CHILDREN_CHANGED, "/p")), "/p");
  }

  @Test
  public void childWatchFiresChildrenChangedOnChildDelete() {
    Session s = open();
    Session writer = open();
    create(writer, "/p", "");
    create(writer, "/p/c", "");
    RecordingWatcher w = new RecordingWatcher();
    get(s.sync("/"));
    get(s.getChildren("/p", w));
    get(writer.delete("/p/c", -1));
    assertEvents(w, s, List.of(event(NODE_CHILDREN_CHANGED, "/p")), "/p");
  }

  @Test
  public void childWatchFiresNodeDeletedWhenTheWatchedNodeGoes() {
    Session s = open();
    Session writer = open();
    create(writer, "/p", "");
    RecordingWatcher w = new RecordingWatcher();
    get(s.sync("/"));
    get(s.getChildren("/p", w));
    get(writer.delete("/p", -1));
    assertEvents(w, s, List.of(event(NODE_DELETED, "/p")), "/p");
  }

  @Test
  public void childWatchIgnoresDataChangesOfTheNodeAndItsChildren() {
    Session s = open();
    Session writer = open();
    create(writer, "/p", "");
    create(writer, "/p/c", "");
    RecordingWatcher w = new RecordingWatcher();
    get(s.sync("/"));
    get(s.getChildren("/p", w));
    get(writer.setData("/p", bytes("x"), -1));
    get(writer.setData("/p/c", bytes("y"), -1));
    create(writer, "/p/d", "");
    assertEvents(w, s, List.of(event(NODE_CHILDREN_CHANGED, "/p")), "/p", "/p/c");
  }

  @Test
  public void dataWatchIgnoresChildChanges() {
    Session s = open();
    Session writer = open();
    create(writer, "/p", "");
    RecordingWatcher w = new RecordingWatcher();
    get(s.sync("/"));
    get(s.getData("/p", w));
    create(writer, "/p/c", "");
    get(writer.delete("/p/c", -1));
    get(writer.setData("/p", bytes("x"), -1));
    assertEvents(w, s, List.of(event(NODE_DATA_CHANGED, "/p")), "/p");
  }

  @Test
  public void createFiresTheParentsChildWatchButNotTheGrandparents() {
    Session s = open();
    Session writer = open();
    create(writer, "/g", "");
    create(writer, "/g/p", "");
    RecordingWatcher grandparent = new RecordingWatcher();
    RecordingWatcher parent = new RecordingWatcher();
    get(s.sync("/"));
    get(s.getChildren("/g", grandparent));
    get(s.getChildren("/g/p", parent));
    create(writer, "/g/p/c", "");
    assertEvents(parent, s, List.of(event(NODE_CHILDREN_CHANGED, "/g/p")), "/g", "/g/p");
    assertEquals(List.of(), grandparent.events());
  }

  @Test
  public void sameWatcherSetByExistsAndGetDataFiresOnce() {
    Session s = open();
    Session writer = open();
    create(writer, "/a", "");
    RecordingWatcher w = new RecordingWatcher();
    get(s.sync("/"));
    get(s.exists("/a", w));
    get(s.getData("/a", w));
    get(writer.setData("/a", bytes("x"), -1));
    assertEvents(w, s, List.of(event(NODE_DATA_CHANGED, "/a")), "/a");
  }

  @Test
  public void sameWatcherAsDataAndChildWatchFiresOnceWhenTheNodeGoes() {
    Session s = open();
    Session writer = open();
    create(writer, "/a", "");
    RecordingWatcher w = new RecordingWatcher();
    get(s.sync("/"));
    get(s.getData("/a", w));
    get(s.getChildren("/a", w));
    get(writer.delete("/a", -1));
    assertEvents(w, s, List.of(event(NODE_DELETED, "/a")), "/a");
  }

  @Test
  public void distinctWatchersOnOnePathEachFire() {
    Session s = open();
    Session writer = open();
    create(writer, "/a", "");
    RecordingWatcher first = new RecordingWatcher();
    RecordingWatcher second = new RecordingWatcher();
    get(s.sync("/"));
    get(s.getData("/a", first));
    get(s.exists("/a", second));
    get(writer.setData("/a", bytes("x"), -1));
    assertEvents(first, s, List.of(event(NODE_DATA_CHANGED, "/a")), "/a");
    assertEvents(second, s, List.of(event(NODE_DATA_CHANGED, "/a")), "/a");
  }

  @Test
  public void watchesOfEverySessionFireForOneWrite() {
    Session a = open();
    Session b = open();
    Session writer = open();
    create(writer, "/a", "");
    RecordingWatcher wa = new RecordingWatcher();
    RecordingWatcher wb = new RecordingWatcher();
    get(a.sync("/"));
    get(b.sync("/"));
    get(a.getData("/a", wa));
    get(b.getData("/a", wb));
    get(writer.setData("/a", bytes("x"), -1));
    assertEvents(wa, a, List.of(event(NODE_DATA_CHANGED, "/a")), "/a");
    assertEvents(wb, b, List.of(event(NODE_DATA_CHANGED, "/a")), "/a");
  }

  @Test
  public void aSessionsOwnWritesFireItsWatches() {
    Session s = open();
    create(s, "/a", "");
    RecordingWatcher w = new RecordingWatcher();
    get(s.getData("/a", w));
    get(s.setData("/a", bytes("x"), -1));
    assertEvents(w, s, List.of(event(NODE_DATA_CHANGED, "/a")), "/a");
  }

  @Test
  public void rearmedWatchFiresAgainForTheNextChange() {
    Session s = open();
    Session writer = open();
    create(writer, "/a", "");
    RecordingWatcher w = new RecordingWatcher();
    get(s.sync("/"));
    get(s.getData("/a", w));
    get(writer.setData("/a", bytes("1"), -1));
    waitFor().until(() -> w.count() == 1);
    get(s.getData("/a", w));
    get(writer.delete("/a", -1));
    assertEvents(w, s, List.of(event(NODE_DATA_CHANGED, "/a"), event(NODE_DELETED, "/a")), "/a");
  }

  @Test
  public void removedWatchNeverFiresAndGetsNoRemovalEvent() {
    Session s = open();
    Session writer = open();
    create(writer, "/a", "");
    RecordingWatcher removed = new RecordingWatcher();
    RecordingWatcher kept = new RecordingWatcher();
    get(s.sync("/"));
    get(s.getData("/a", removed));
    get(s.getChildren("/a", removed));
    get(s.exists("/a", kept));
    get(s.removeWatches("/a", removed));
    get(writer.setData("/a", bytes("x"), -1));
    create(writer, "/a/c", "");
    assertEvents(kept, s, List.of(event(NODE_DATA_CHANGED, "/a")), "/a");
    assertEquals(List.of(), removed.events());
  }

  @Test
  public void sequentialCreateFiresTheParentsChildWatch() {
    Session s = open();
    Session writer = open();
    create(writer, "/q", "");
    RecordingWatcher w = new RecordingWatcher();
    get(s.sync("/"));
    get(s.getChildren("/q", w));
    get(writer.create("/q/n-", bytes(""), CreateMode.EPHEMERAL_SEQUENTIAL));
    assertEvents(w, s, List.of(event(NODE_CHILDREN_CHANGED, "/q")), "/q");
  }

  @Test
  public void multiFiresTheWatchesOfEachOfItsOps() {
    Session s = open();
    Session writer = open();
    create(writer, "/a", "");
    create(writer, "/p", "");
    RecordingWatcher data = new RecordingWatcher();
    RecordingWatcher children = new RecordingWatcher();
    RecordingWatcher created = new RecordingWatcher();
    get(s.sync("/"));
    get(s.getData("/a", data));
    get(s.getChildren("/p", children));
    get(s.exists("/b", created));
    get(writer.multi(List.of(
        Op.setData("/a", bytes("x"), -1),
        Op.create("/p/c", bytes(""), CreateMode.PERSISTENT),
        Op.create("/b", bytes(""), CreateMode.PERSISTENT))));
    assertEvents(data, s, List.of(event(NODE_DATA_CHANGED, "/a")), "/a");
    assertEvents(children, s, List.of(event(NODE_CHILDREN_CHANGED, "/p")), "/p");
    assertEvents(created, s, List.of(event(NODE_CREATED, "/b")), "/b");
  }

  /**
   * A multi that changes a node's data and then deletes it fires a one-shot watch on that node once,
   * with the first of the two changes: the watch is spent by the data change, so the deletion has
   * nothing left to fire. (The lock recipes release this way so that the waiter behind can tell a
   * release from a waiter giving up.) Other sessions see this only with {@link
   * Capability#MULTI_EVENTS_PER_OP}.
   */
  @Test
  public void multiThatChangesThenDeletesANodeFiresItsWatchOnceWithTheDataChange() {
    requireCapability(fixture, Capability.MULTI_EVENTS_PER_OP);
    Session s = open();
    Session writer = open();
    create(writer, "/p", "");
    create(writer, "/p/a", "");
    RecordingWatcher exists = new RecordingWatcher();
    RecordingWatcher data = new RecordingWatcher();
    RecordingWatcher children = new RecordingWatcher();
    get(s.sync("/"));
    get(s.exists("/p/a", exists));
    get(s.getData("/p/a", data));
    get(s.getChildren("/p", children));
    get(writer.multi(List.of(
        Op.setData("/p/a", bytes("released"), -1),
        Op.delete("/p/a", -1))));
    assertEvents(exists, s, List.of(event(NODE_DATA_CHANGED, "/p/a")), "/p/a", "/p");
    assertEvents(data, s, List.of(event(NODE_DATA_CHANGED, "/p/a")), "/p/a", "/p");
    assertEvents(children, s, List.of(event(NODE_CHILDREN_CHANGED, "/p")), "/p/a", "/p");
    assertNull(get(s.exists("/p/a")));
  }

  /**
   * The session that runs a multi sees one event per op on every backend, with or without {@link
   * Capability#MULTI_EVENTS_PER_OP}: its own data watch on a node the multi changes and then deletes
   * fires with the data change.
   */
  @Test
  public void multiThatChangesThenDeletesANodeFiresTheWritersOwnWatchWithTheDataChange() {
    Session s = open();
    create(s, "/p", "");
    create(s, "/p/a", "");
    RecordingWatcher data = new RecordingWatcher();
    RecordingWatcher children = new RecordingWatcher();
    get(s.getData("/p/a", data));
    get(s.getChildren("/p", children));
    get(s.multi(List.of(
        Op.setData("/p/a", bytes("released"), -1),
        Op.delete("/p/a", -1))));
    assertEvents(data, s, List.of(event(NODE_DATA_CHANGED, "/p/a")), "/p/a", "/p");
    assertEvents(children, s, List.of(event(NODE_CHILDREN_CHANGED, "/p")), "/p/a", "/p");
  }

  /**
   * What every backend keeps for other sessions, {@link Capability#MULTI_EVENTS_PER_OP} or not: a
   * multi that changes a node's data and then deletes it fires each one-shot watch on the node
   * exactly once, with the data change or the deletion, and the parent's child watch once.
   */
  @Test
  public void multiThatChangesThenDeletesANodeFiresOtherSessionsWatchesExactlyOnce() {
    Session s = open();
    Session writer = open();
    create(writer, "/p", "");
    create(writer, "/p/a", "");
    RecordingWatcher data = new RecordingWatcher();
    RecordingWatcher children = new RecordingWatcher();
    get(s.sync("/"));
    get(s.getData("/p/a", data));
    get(s.getChildren("/p", children));
    get(writer.multi(List.of(
        Op.setData("/p/a", bytes("released"), -1),
        Op.delete("/p/a", -1))));
    waitFor().until(() -> data.count() >= 1 && children.count() >= 1);
    settle(s, "/p/a", "/p");
    assertEquals(1, data.count(), () -> "one event, got " + data.events());
    WatchEvent.Type seen = data.events().get(0).type();
    assertTrue(seen == NODE_DATA_CHANGED || seen == NODE_DELETED, () -> "data change or deletion, got " + seen);
    if (fixture.backend().has(Capability.MULTI_EVENTS_PER_OP)) {
      assertEquals(NODE_DATA_CHANGED, seen, "one event per op: the first op spends the watch");
    }
    assertEquals(List.of(event(NODE_CHILDREN_CHANGED, "/p")), children.events());
  }

  @Test
  public void refusedWriteFiresNoWatchAndLeavesItArmed() {
    Session s = open();
    Session writer = open();
    create(writer, "/a", "");
    create(writer, "/a/c", "");
    RecordingWatcher data = new RecordingWatcher();
    RecordingWatcher children = new RecordingWatcher();
    get(s.sync("/"));
    get(s.getData("/a", data));
    get(s.getChildren("/a", children));
    assertFails(ErrorCode.BAD_VERSION, writer.setData("/a", bytes("x"), 5));
    assertFails(ErrorCode.NOT_EMPTY, writer.delete("/a", -1));
    assertFails(ErrorCode.NODE_EXISTS, writer.create("/a/c", bytes(""), CreateMode.PERSISTENT));
    settle(s, "/a", "/a/c");
    assertEquals(List.of(), data.events());
    assertEquals(List.of(), children.events());
    get(writer.setData("/a", bytes("x"), -1));
    assertEvents(data, s, List.of(event(NODE_DATA_CHANGED, "/a")), "/a");
  }

  @Test
  public void failedMultiFiresNoWatchAndLeavesItArmed() {
    Session s = open();
    Session writer = open();
    create(writer, "/a", "");
    create(writer, "/p", "");
    RecordingWatcher data = new RecordingWatcher();
    RecordingWatcher children = new RecordingWatcher();
    get(s.sync("/"));
    get(s.getData("/a", data));
    get(s.getChildren("/p", children));
    assertFails(ErrorCode.NO_NODE, writer.multi(List.of(
        Op.setData("/a", bytes("x"), -1),
        Op.create("/p/c", bytes(""), CreateMode.PERSISTENT),
        Op.delete("/missing", -1))));
    settle(s, "/a", "/p");
    assertEquals(List.of(), data.events());
    assertEquals(List.of(), children.events());
    create(writer, "/p/c", "");
    assertEvents(children, s, List.of(event(NODE_CHILDREN_CHANGED, "/p")), "/p");
  }

  @Test
  public void closingAnEphemeralsSessionFiresOtherSessionsWatches() {
    Session owner = open();
    Session s = open();
    create(owner, "/p", "");
    create(owner, "/p/e", "", CreateMode.EPHEMERAL);
    RecordingWatcher node = new RecordingWatcher();
    RecordingWatcher parent = new RecordingWatcher();
    get(s.sync("/"));
    get(s.exists("/p/e", node));
    get(s.getChildren("/p", parent));
    owner.close();
    assertEvents(node, s, List.of(event(NODE_DELETED, "/p/e")), "/p/e");
    assertEvents(parent, s, List.of(event(NODE_CHILDREN_CHANGED, "/p")), "/p");
  }

  /**
   * A session that closes itself still hears of the deletion of its own ephemeral that it watched:
   * ZooKeeper sends the events its close fires before it answers the close.
   */
  @Test
  public void closingSessionReceivesTheDeletionOfItsOwnWatchedEphemeral() {
    Session s = open();
    create(s, "/e", "", CreateMode.EPHEMERAL);
    RecordingWatcher exists = new RecordingWatcher();
    RecordingWatcher data = new RecordingWatcher();
    assertNotNull(get(s.exists("/e", exists)));
    get(s.getData("/e", data));
    s.close();
    waitFor().until(() -> exists.count() == 1 && data.count() == 1);
    assertEquals(List.of(new WatchEvent(WatchEvent.Type.NODE_DELETED, "/e")), exists.events());
    assertEquals(List.of(new WatchEvent(WatchEvent.Type.NODE_DELETED, "/e")), data.events());
    assertNull(get(observer().exists("/e")));
  }
}
