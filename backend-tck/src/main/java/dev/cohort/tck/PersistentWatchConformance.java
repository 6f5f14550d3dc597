package dev.cohort.tck;

import static dev.cohort.spi.WatchEvent.Type.NODE_CHILDREN_CHANGED;
import static dev.cohort.spi.WatchEvent.Type.NODE_CREATED;
import static dev.cohort.spi.WatchEvent.Type.NODE_DATA_CHANGED;
import static dev.cohort.spi.WatchEvent.Type.NODE_DELETED;
import static dev.cohort.tck.Requirements.requireCapability;
import static dev.cohort.tck.Requirements.requireFault;
import static dev.cohort.tck.Requirements.requireMissingCapability;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cohort.spi.Capability;
import dev.cohort.spi.CreateMode;
import dev.cohort.spi.ErrorCode;
import dev.cohort.spi.Op;
import dev.cohort.spi.Session;
import dev.cohort.spi.SessionState;
import dev.cohort.spi.WatchEvent;
import dev.cohort.spi.WatchMode;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Persistent and persistent-recursive watches (checklist line 25, optional capability {@link
 * Capability#PERSISTENT_WATCHES}): they stay after firing; recursive ones report created, deleted
 * and data-changed for every descendant and never children-changed. Without the capability, {@code
 * addWatch} fails with UNIMPLEMENTED.
 */
public abstract class PersistentWatchConformance extends ConformanceSuite {

  private static WatchEvent event(WatchEvent.Type type, String path) {
    return new WatchEvent(type, path);
  }

  private static void assertEvents(RecordingWatcher watcher, Session session, List<WatchEvent> expected, String... paths) {
    WatchConformance.assertEvents(watcher, session, expected, paths);
  }

  @Test
  public void persistentWatchStaysAfterFiring() {
    requireCapability(fixture, Capability.PERSISTENT_WATCHES);
    Session s = open();
    Session writer = open();
    create(writer, "/a", "");
    RecordingWatcher w = new RecordingWatcher();
    get(s.sync("/"));
    get(s.addWatch("/a", WatchMode.PERSISTENT, w));
    for (int i = 1; i <= 3; i++) {
      get(writer.setData("/a", bytes("v" + i), -1));
    }
    assertEvents(w, s, List.of(
        event(NODE_DATA_CHANGED, "/a"), event(NODE_DATA_CHANGED, "/a"), event(NODE_DATA_CHANGED, "/a")), "/a");
  }

  @Test
  public void persistentWatchOnAMissingNodeReportsItsWholeLife() {
    requireCapability(fixture, Capability.PERSISTENT_WATCHES);
    Session s = open();
    Session writer = open();
    RecordingWatcher w = new RecordingWatcher();
    get(s.sync("/"));
    get(s.addWatch("/a", WatchMode.PERSISTENT, w));
    create(writer, "/a", "");
    get(writer.setData("/a", bytes("x"), -1));
    get(writer.delete("/a", -1));
    create(writer, "/a", "again");
    assertEvents(w, s, List.of(
        event(NODE_CREATED, "/a"), event(NODE_DATA_CHANGED, "/a"), event(NODE_DELETED, "/a"),
        event(NODE_CREATED, "/a")), "/a");
  }

  @Test
  public void persistentWatchReportsChildrenChangedButNotGrandchildren() {
    requireCapability(fixture, Capability.PERSISTENT_WATCHES);
    Session s = open();
    Session writer = open();
    create(writer, "/p", "");
    RecordingWatcher w = new RecordingWatcher();
    get(s.sync("/"));
    get(s.addWatch("/p", WatchMode.PERSISTENT, w));
    create(writer, "/p/c", "");
    create(writer, "/p/c/g", "");
    get(writer.setData("/p/c", bytes("x"), -1));
    get(writer.delete("/p/c/g", -1));
    get(writer.delete("/p/c", -1));
    assertEvents(w, s, List.of(
        event(NODE_CHILDREN_CHANGED, "/p"), event(NODE_CHILDREN_CHANGED, "/p")), "/p", "/p/c");
  }

  @Test
  public void recursiveWatchReportsEveryDescendantByItsPath() {
    requireCapability(fixture, Capability.PERSISTENT_WATCHES);
    Session s = open();
    Session writer = open();
    create(writer, "/r", "");
    RecordingWatcher w = new RecordingWatcher();
    get(s.sync("/"));
    get(s.addWatch("/r", WatchMode.PERSISTENT_RECURSIVE, w));
    create(writer, "/r/a", "");
    create(writer, "/r/a/b", "");
    get(writer.setData("/r/a/b", bytes("x"), -1));
    get(writer.setData("/r", bytes("y"), -1));
    get(writer.delete("/r/a/b", -1));
    assertEvents(w, s, List.of(
        event(NODE_CREATED, "/r/a"), event(NODE_CREATED, "/r/a/b"), event(NODE_DATA_CHANGED, "/r/a/b"),
        event(NODE_DATA_CHANGED, "/r"), event(NODE_DELETED, "/r/a/b")), "/r", "/r/a", "/r/a/b");
  }

  @Test
  public void recursiveWatchNeverReportsChildrenChanged() {
    requireCapability(fixture, Capability.PERSISTENT_WATCHES);
    Session s = open();
    Session writer = open();
    create(writer, "/r", "");
    RecordingWatcher w = new RecordingWatcher();
    get(s.sync("/"));
    get(s.addWatch("/r", WatchMode.PERSISTENT_RECURSIVE, w));
    create(writer, "/r/a", "");
    get(writer.delete("/r/a", -1));
    assertEvents(w, s, List.of(event(NODE_CREATED, "/r/a"), event(NODE_DELETED, "/r/a")), "/r", "/r/a");
    assertEquals(0, w.events().stream().filter(e -> e.type() == NODE_CHILDREN_CHANGED).count());
  }

  @Test
  public void recursiveWatchIgnoresSiblingsThatShareAPrefix() {
    requireCapability(fixture, Capability.PERSISTENT_WATCHES);
    Session s = open();
    Session writer = open();
    create(writer, "/r", "");
    RecordingWatcher w = new RecordingWatcher();
    get(s.sync("/"));
    get(s.addWatch("/r", WatchMode.PERSISTENT_RECURSIVE, w));
    create(writer, "/rx", "");
    create(writer, "/r/in", "");
    assertEvents(w, s, List.of(event(NODE_CREATED, "/r/in")), "/r", "/rx");
  }

  @Test
  public void removeWatchesEndsAPersistentWatch() {
    requireCapability(fixture, Capability.PERSISTENT_WATCHES);
    Session s = open();
    Session writer = open();
    create(writer, "/a", "");
    RecordingWatcher removed = new RecordingWatcher();
    RecordingWatcher kept = new RecordingWatcher();
    get(s.sync("/"));
    get(s.addWatch("/a", WatchMode.PERSISTENT_RECURSIVE, removed));
    get(s.addWatch("/a", WatchMode.PERSISTENT, kept));
    get(writer.setData("/a", bytes("1"), -1));
    waitFor().until(() -> removed.count() == 1 && kept.count() == 1);
    get(s.removeWatches("/a", removed));
    get(writer.setData("/a", bytes("2"), -1));
    assertEvents(kept, s, List.of(event(NODE_DATA_CHANGED, "/a"), event(NODE_DATA_CHANGED, "/a")), "/a");
    assertEquals(List.of(event(NODE_DATA_CHANGED, "/a")), removed.events());
  }

  /**
   * The session's own multi fires its persistent watch once per op, in op order (and once, not
   * again when the backend learns of the same write another way).
   */
  @Test
  public void ownMultiFiresAPersistentWatchOncePerOp() {
    requireCapability(fixture, Capability.PERSISTENT_WATCHES);
    Session s = open();
    create(s, "/p", "");
    RecordingWatcher node = new RecordingWatcher();
    RecordingWatcher tree = new RecordingWatcher();
    get(s.addWatch("/p/a", WatchMode.PERSISTENT, node));
    get(s.addWatch("/p", WatchMode.PERSISTENT_RECURSIVE, tree));
    get(s.multi(List.of(
        Op.create("/p/a", bytes(""), CreateMode.PERSISTENT),
        Op.setData("/p/a", bytes("x"), -1),
        Op.delete("/p/a", -1))));
    List<WatchEvent> life = List.of(
        event(NODE_CREATED, "/p/a"), event(NODE_DATA_CHANGED, "/p/a"), event(NODE_DELETED, "/p/a"));
    assertEvents(node, s, life, "/p", "/p/a");
    assertEvents(tree, s, life, "/p", "/p/a");
  }

  /** Another session's multi, with {@link Capability#MULTI_EVENTS_PER_OP}: one event per op. */
  @Test
  public void otherSessionsMultiFiresAPersistentWatchOncePerOp() {
    requireCapability(fixture, Capability.PERSISTENT_WATCHES, Capability.MULTI_EVENTS_PER_OP);
    Session s = open();
    Session writer = open();
    create(writer, "/a", "");
    RecordingWatcher w = new RecordingWatcher();
    get(s.sync("/"));
    get(s.addWatch("/a", WatchMode.PERSISTENT, w));
    get(writer.multi(List.of(Op.setData("/a", bytes("released"), -1), Op.delete("/a", -1))));
    assertEvents(w, s, List.of(event(NODE_DATA_CHANGED, "/a"), event(NODE_DELETED, "/a")), "/a");
  }

  /**
   * A persistent watch outlives a disconnect: changes made after the reconnect fire it. Changes made
   * while cut off may or may not be reported (ZooKeeper re-registers the watch without them; a
   * backend may replay them), but never out of order and never anything else.
   */
  @Test
  public void persistentWatchSurvivesADisconnect() {
    requireCapability(fixture, Capability.PERSISTENT_WATCHES);
    requireFault(fixture, FaultControl.DISCONNECT);
    Session s = open();
    Session writer = open();
    create(writer, "/a", "");
    RecordingWatcher w = new RecordingWatcher();
    get(s.sync("/"));
    get(s.addWatch("/a", WatchMode.PERSISTENT, w));
    fixture.disconnect(s);
    awaitState(s, SessionState.SUSPENDED);
    get(writer.setData("/a", bytes("while cut off"), -1));
    fixture.reconnect(s);
    awaitState(s, SessionState.RECONNECTED);
    get(writer.delete("/a", -1));
    waitFor().until(() -> w.events().contains(event(NODE_DELETED, "/a")));
    settle(s, "/a");
    List<WatchEvent> seen = w.events();
    assertTrue(seen.equals(List.of(event(NODE_DELETED, "/a")))
        || seen.equals(List.of(event(NODE_DATA_CHANGED, "/a"), event(NODE_DELETED, "/a"))), () -> "got " + seen);
  }

  @Test
  public void addWatchWithoutTheCapabilityFailsWithUnimplemented() {
    requireMissingCapability(fixture, Capability.PERSISTENT_WATCHES);
    Session s = open();
    assertFails(ErrorCode.UNIMPLEMENTED, s.addWatch("/a", WatchMode.PERSISTENT, new RecordingWatcher()));
    assertFails(ErrorCode.UNIMPLEMENTED, s.addWatch("/a", WatchMode.PERSISTENT_RECURSIVE, new RecordingWatcher()));
  }
}
