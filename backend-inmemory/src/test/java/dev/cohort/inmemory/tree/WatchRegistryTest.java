package dev.cohort.inmemory.tree;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cohort.inmemory.tree.WatchRegistry.Fired;
import dev.cohort.inmemory.tree.WatchRegistry.Kind;
import dev.cohort.spi.CreateMode;
import dev.cohort.spi.WatchEvent;
import dev.cohort.spi.WatchEvent.Type;
import dev.cohort.spi.Watcher;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The mapping from tree changes to watchers, per ZooKeeper's trigger rules. */
class WatchRegistryTest {
  private final WatchRegistry registry = new WatchRegistry();
  private final Watcher w1 = e -> { };
  private final Watcher w2 = e -> { };

  private List<Fired> fire(Type type, String path) {
    List<Fired> out = new ArrayList<>();
    registry.trigger(new Change(type, path), out);
    return out;
  }

  private static Fired fired(long session, Watcher w, Type type, String path) {
    return new Fired(session, w, new WatchEvent(type, path));
  }

  @Test
  void dataWatchFiresOnDataChangeOnceThenIsGone() {
    registry.add(Kind.DATA, "/a", 1, w1);
    assertEquals(List.of(), fire(Type.NODE_CHILDREN_CHANGED, "/a"));
    assertEquals(List.of(fired(1, w1, Type.NODE_DATA_CHANGED, "/a")), fire(Type.NODE_DATA_CHANGED, "/a"));
    assertEquals(List.of(), fire(Type.NODE_DATA_CHANGED, "/a"));
    assertEquals(0, registry.size());
    assertFalse(registry.hasWatches(1));
  }

  @Test
  void existWatchFiresOnCreateAndChildWatchOnChildrenChange() {
    registry.add(Kind.EXIST, "/a", 1, w1);
    registry.add(Kind.CHILD, "/p", 2, w2);
    assertEquals(List.of(fired(1, w1, Type.NODE_CREATED, "/a")), fire(Type.NODE_CREATED, "/a"));
    assertEquals(List.of(), fire(Type.NODE_DATA_CHANGED, "/p"));
    assertEquals(List.of(fired(2, w2, Type.NODE_CHILDREN_CHANGED, "/p")), fire(Type.NODE_CHILDREN_CHANGED, "/p"));
  }

  @Test
  void deleteFiresDataAndChildWatchesButTheSameWatcherOnlyOnce() {
    registry.add(Kind.DATA, "/a", 1, w1);
    registry.add(Kind.CHILD, "/a", 1, w1);
    registry.add(Kind.CHILD, "/a", 2, w1);
    assertEquals(List.of(fired(1, w1, Type.NODE_DELETED, "/a"), fired(2, w1, Type.NODE_DELETED, "/a")),
        fire(Type.NODE_DELETED, "/a"));
    assertEquals(0, registry.size());
  }

  @Test
  void registeringTheSameWatcherTwiceIsOneWatch() {
    registry.add(Kind.DATA, "/a", 1, w1);
    registry.add(Kind.DATA, "/a", 1, w1);
    assertEquals(1, registry.size());
  }

  @Test
  void persistentWatchStaysAndSeesChildrenChangesButRecursiveDoesNot() {
    registry.add(Kind.PERSISTENT, "/p", 1, w1);
    registry.add(Kind.PERSISTENT_RECURSIVE, "/p", 2, w2);
    assertEquals(List.of(fired(1, w1, Type.NODE_CHILDREN_CHANGED, "/p")), fire(Type.NODE_CHILDREN_CHANGED, "/p"));
    assertEquals(List.of(fired(2, w2, Type.NODE_CREATED, "/p/c/d")), fire(Type.NODE_CREATED, "/p/c/d"));
    assertEquals(List.of(fired(1, w1, Type.NODE_DATA_CHANGED, "/p"), fired(2, w2, Type.NODE_DATA_CHANGED, "/p")),
        fire(Type.NODE_DATA_CHANGED, "/p"));
    assertEquals(List.of(), fire(Type.NODE_CREATED, "/pq"), "a sibling sharing a name prefix is not a descendant");
    assertEquals(2, registry.size());
  }

  @Test
  void removeDropsEveryKindOfOneWatcherOnOnePath() {
    registry.add(Kind.DATA, "/a", 1, w1);
    registry.add(Kind.PERSISTENT, "/a", 1, w1);
    registry.add(Kind.DATA, "/a", 1, w2);
    assertEquals(2, registry.remove("/a", 1, w1));
    assertEquals(List.of(fired(1, w2, Type.NODE_DATA_CHANGED, "/a")), fire(Type.NODE_DATA_CHANGED, "/a"));
  }

  @Test
  void removeSessionDropsOnlyThatSessionsWatches() {
    registry.add(Kind.DATA, "/a", 1, w1);
    registry.add(Kind.PERSISTENT_RECURSIVE, "/", 1, w1);
    registry.add(Kind.DATA, "/a", 2, w2);
    registry.removeSession(1);
    assertEquals(List.of(fired(2, w2, Type.NODE_DATA_CHANGED, "/a")), fire(Type.NODE_DATA_CHANGED, "/a"));
    assertFalse(registry.hasWatches(1));
  }

  @Test
  void reattachFiresWatchesWhoseNodeChangedAfterTheSessionsLastZxidAndRearmsTheRest() {
    TreeDriver d = new TreeDriver();
    d.create("/changed");
    d.create("/same");
    d.create("/gone");
    registry.add(Kind.DATA, "/changed", 1, w1);
    registry.add(Kind.DATA, "/same", 1, w1);
    registry.add(Kind.CHILD, "/gone", 1, w1);
    registry.add(Kind.EXIST, "/born", 1, w1);
    registry.add(Kind.PERSISTENT, "/same", 1, w2);
    long lastSeen = d.zxid;
    List<WatchRegistry.Held> held = registry.detachSession(1);
    assertEquals(5, held.size());
    assertEquals(0, registry.size());
    d.apply(new TxnOp.SetData("/changed", new byte[1], -1));
    d.apply(new TxnOp.DeleteNode("/gone", -1));
    d.create("/born", CreateMode.PERSISTENT);
    List<Fired> out = new ArrayList<>();
    registry.reattach(1, held, d.tree, lastSeen, out);
    assertEquals(java.util.Set.of(fired(1, w1, Type.NODE_DATA_CHANGED, "/changed"),
        fired(1, w1, Type.NODE_DELETED, "/gone"), fired(1, w1, Type.NODE_CREATED, "/born")), java.util.Set.copyOf(out));
    assertEquals(3, out.size());
    assertEquals(2, registry.size(), "the unchanged data watch and the persistent watch are registered again");
    assertTrue(registry.hasWatches(1));
  }
}
