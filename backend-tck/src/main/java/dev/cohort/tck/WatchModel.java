package dev.cohort.tck;

import dev.cohort.spi.WatchEvent;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The one-shot watches one session of the model-based test holds, and the events the model expects
 * that session's watcher to receive next. ZooKeeper's rules: a data watch (getData, or exists on an
 * existing node) fires on data change and delete; an exists watch on a missing node fires on create;
 * a child watch fires on child change and delete; each fires once, and one change fires a watcher at
 * most once. While the session is disconnected its watches are held; on reconnect each fires if its
 * node changed meanwhile (ZooKeeper's SetWatches), else it is re-armed.
 */
final class WatchModel {

  /** How a watch was set. */
  enum Kind { DATA, EXIST, CHILD }

  private final Map<String, EnumSet<Kind>> byPath = new TreeMap<>();
  private final List<WatchEvent> expected = new ArrayList<>();
  /** The model's change counter when the session was cut off, or -1 while connected. */
  private long disconnectedAtSeq = -1;

  void register(Kind kind, String path) {
    byPath.computeIfAbsent(path, p -> EnumSet.noneOf(Kind.class)).add(kind);
  }

  /** The events expected since the last call; clears them. */
  List<WatchEvent> drainExpected() {
    List<WatchEvent> drained = new ArrayList<>(expected);
    expected.clear();
    return drained;
  }

  /** Applies one change of the tree; ignored while disconnected (the watches are held). */
  void fire(TreeModel.Change change) {
    if (disconnectedAtSeq >= 0) {
      return;
    }
    EnumSet<Kind> kinds = byPath.get(change.path());
    if (kinds == null) {
      return;
    }
    boolean fired = switch (change.type()) {
      case NODE_CREATED -> kinds.remove(Kind.EXIST);
      case NODE_DATA_CHANGED -> kinds.remove(Kind.DATA);
      case NODE_CHILDREN_CHANGED -> kinds.remove(Kind.CHILD);
      case NODE_DELETED -> kinds.remove(Kind.DATA) | kinds.remove(Kind.CHILD);
    };
    if (fired) {
      expected.add(new WatchEvent(change.type(), change.path()));
    }
    if (kinds.isEmpty()) {
      byPath.remove(change.path());
    }
  }

  void disconnect(long seq) {
    disconnectedAtSeq = seq;
  }

  /** Fires the held watches whose nodes changed while the session was away; re-arms the rest. */
  void reconnect(TreeModel tree) {
    long since = disconnectedAtSeq;
    disconnectedAtSeq = -1;
    for (Iterator<Map.Entry<String, EnumSet<Kind>>> it = byPath.entrySet().iterator(); it.hasNext(); ) {
      Map.Entry<String, EnumSet<Kind>> entry = it.next();
      String path = entry.getKey();
      TreeModel.Node node = tree.get(path);
      EnumSet<Kind> kinds = entry.getValue();
      if (node == null && (kinds.contains(Kind.DATA) || kinds.contains(Kind.CHILD))) {
        kinds.remove(Kind.DATA);
        kinds.remove(Kind.CHILD);
        expected.add(new WatchEvent(WatchEvent.Type.NODE_DELETED, path));
      }
      if (node != null && kinds.contains(Kind.EXIST)) {
        kinds.remove(Kind.EXIST);
        expected.add(new WatchEvent(WatchEvent.Type.NODE_CREATED, path));
      }
      if (node != null && kinds.contains(Kind.DATA) && node.dataSeq > since) {
        kinds.remove(Kind.DATA);
        expected.add(new WatchEvent(WatchEvent.Type.NODE_DATA_CHANGED, path));
      }
      if (node != null && kinds.contains(Kind.CHILD) && node.childSeq > since) {
        kinds.remove(Kind.CHILD);
        expected.add(new WatchEvent(WatchEvent.Type.NODE_CHILDREN_CHANGED, path));
      }
      if (kinds.isEmpty()) {
        it.remove();
      }
    }
  }
}
