package dev.cohort.inmemory.tree;

import dev.cohort.spi.Paths;
import dev.cohort.spi.Stat;
import dev.cohort.spi.WatchEvent;
import dev.cohort.spi.Watcher;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * Which session watches what: maps the {@link Change}s a {@link DataTree} reports to the watchers
 * they fire. Kept apart from the tree because watches are per-server state in ZooKeeper (a replica
 * holds the watches of the sessions attached to it) while the tree is replicated state.
 *
 * <h2>Rules (ZooKeeper's)</h2>
 * <ul>
 *   <li>{@link Kind#DATA} (getData, or exists on an existing node) fires on NODE_DATA_CHANGED and
 *       NODE_DELETED; {@link Kind#EXIST} (exists on a missing node) fires on NODE_CREATED;
 *       {@link Kind#CHILD} (getChildren) fires on NODE_CHILDREN_CHANGED and NODE_DELETED. These are
 *       one-shot: removed when they fire.</li>
 *   <li>{@link Kind#PERSISTENT} fires on every change of its node, NODE_CHILDREN_CHANGED included;
 *       {@link Kind#PERSISTENT_RECURSIVE} fires on NODE_CREATED, NODE_DELETED and NODE_DATA_CHANGED
 *       of its node and every descendant. Both stay.</li>
 *   <li>One change fires a given watcher of a given session at most once, however many
 *       registrations match (watchers are compared by identity).</li>
 * </ul>
 *
 * <p>Not thread-safe; no threads, clocks or locks: the owner serializes access.
 */
public final class WatchRegistry {

  /** How a watch was set; decides which changes fire it and whether it stays. */
  public enum Kind {
    DATA, EXIST, CHILD, PERSISTENT, PERSISTENT_RECURSIVE;

    /** Whether the watch stays registered after it fires. */
    public boolean isPersistent() {
      return this == PERSISTENT || this == PERSISTENT_RECURSIVE;
    }
  }

  /**
   * One watch that fired: deliver {@code event} to {@code watcher} of session {@code sessionId}.
   */
  public record Fired(long sessionId, Watcher watcher, WatchEvent event) {}

  /** A registration of one session, as {@link #detachSession} hands it back for re-arming. */
  public record Held(Kind kind, String path, Watcher watcher) {
    public Held {
      Objects.requireNonNull(kind, "kind");
      Objects.requireNonNull(path, "path");
      Objects.requireNonNull(watcher, "watcher");
    }
  }

  /** One registration; watchers compare by identity, as the SPI says. */
  private record Reg(long sessionId, Watcher watcher) {
    @Override
    public boolean equals(Object o) {
      return o instanceof Reg r && r.sessionId == sessionId && r.watcher == watcher;
    }

    @Override
    public int hashCode() {
      return Long.hashCode(sessionId) * 31 + System.identityHashCode(watcher);
    }
  }

  private record Key(Kind kind, String path) {}

  private final EnumMap<Kind, Map<String, List<Reg>>> byKind = new EnumMap<>(Kind.class);
  private final Map<Long, Set<Key>> bySession = new HashMap<>();
  private int recursiveCount;
  private int size;

  public WatchRegistry() {
    for (Kind kind : Kind.values()) {
      byKind.put(kind, new HashMap<>());
    }
  }

  /** Registers a watch; registering the same watcher of a session twice on one path and kind is one watch. */
  public void add(Kind kind, String path, long sessionId, Watcher watcher) {
    Objects.requireNonNull(watcher, "watcher");
    List<Reg> regs = byKind.get(kind).computeIfAbsent(path, p -> new ArrayList<>(2));
    Reg reg = new Reg(sessionId, watcher);
    if (regs.contains(reg)) {
      return;
    }
    regs.add(reg);
    size++;
    if (kind == Kind.PERSISTENT_RECURSIVE) {
      recursiveCount++;
    }
    bySession.computeIfAbsent(sessionId, id -> new HashSet<>()).add(new Key(kind, path));
  }

  /** Removes every registration of {@code watcher} of the session on {@code path}; returns how many. */
  public int remove(String path, long sessionId, Watcher watcher) {
    int removed = 0;
    Reg reg = new Reg(sessionId, watcher);
    for (Kind kind : Kind.values()) {
      if (removeReg(kind, path, reg)) {
        removed++;
        if (!hasAny(kind, path, sessionId)) {
          Set<Key> keys = bySession.get(sessionId);
          if (keys != null) {
            keys.remove(new Key(kind, path));
          }
        }
      }
    }
    return removed;
  }

  /** Removes and returns every registration of the session (sorted by kind, then path). */
  public List<Held> detachSession(long sessionId) {
    Set<Key> keys = bySession.remove(sessionId);
    List<Held> held = new ArrayList<>();
    if (keys == null) {
      return held;
    }
    List<Key> sorted = new ArrayList<>(keys);
    sorted.sort((a, b) -> a.kind() != b.kind() ? a.kind().compareTo(b.kind()) : a.path().compareTo(b.path()));
    for (Key key : sorted) {
      Map<String, List<Reg>> table = byKind.get(key.kind());
      List<Reg> regs = table.get(key.path());
      if (regs == null) {
        continue;
      }
      for (Iterator<Reg> it = regs.iterator(); it.hasNext(); ) {
        Reg reg = it.next();
        if (reg.sessionId() == sessionId) {
          it.remove();
          forget(key.kind());
          held.add(new Held(key.kind(), key.path(), reg.watcher()));
        }
      }
      if (regs.isEmpty()) {
        table.remove(key.path());
      }
    }
    return held;
  }

  /** Drops every registration of the session (it closed or expired). */
  public void removeSession(long sessionId) {
    detachSession(sessionId);
  }

  /**
   * Re-arms watches a session held while disconnected, as ZooKeeper's SetWatches does: a watch whose
   * node changed after {@code lastZxidSeen} (the newest zxid the session had seen) fires now into
   * {@code out}; the others are registered again. Persistent watches are registered again without
   * an event.
   */
  public void reattach(long sessionId, List<Held> held, DataTree tree, long lastZxidSeen, List<Fired> out) {
    for (Held h : held) {
      Stat stat = tree.stat(h.path());
      WatchEvent.Type fire = switch (h.kind()) {
        case DATA -> stat == null ? WatchEvent.Type.NODE_DELETED
            : stat.mzxid() > lastZxidSeen ? WatchEvent.Type.NODE_DATA_CHANGED : null;
        case EXIST -> stat != null ? WatchEvent.Type.NODE_CREATED : null;
        case CHILD -> stat == null ? WatchEvent.Type.NODE_DELETED
            : stat.pzxid() > lastZxidSeen ? WatchEvent.Type.NODE_CHILDREN_CHANGED : null;
        case PERSISTENT, PERSISTENT_RECURSIVE -> null;
      };
      if (fire == null) {
        add(h.kind(), h.path(), sessionId, h.watcher());
      } else if (!alreadyFired(out, sessionId, h.watcher(), h.path(), fire)) {
        out.add(new Fired(sessionId, h.watcher(), new WatchEvent(fire, h.path())));
      }
    }
  }

  /** The total number of registrations. */
  public int size() {
    return size;
  }

  /** Whether the session has any registration. */
  public boolean hasWatches(long sessionId) {
    Set<Key> keys = bySession.get(sessionId);
    return keys != null && !keys.isEmpty();
  }

  /**
   * Adds to {@code out} the watches {@code change} fires, removing the one-shot ones. Within one
   * change a watcher of a session fires at most once.
   */
  public void trigger(Change change, List<Fired> out) {
    if (size == 0) {
      return;
    }
    int start = out.size();
    String path = change.path();
    WatchEvent event = new WatchEvent(change.type(), path);
    switch (change.type()) {
      case NODE_CREATED -> fireOneShot(Kind.EXIST, path, event, out, start);
      case NODE_DATA_CHANGED -> fireOneShot(Kind.DATA, path, event, out, start);
      case NODE_DELETED -> {
        fireOneShot(Kind.DATA, path, event, out, start);
        fireOneShot(Kind.CHILD, path, event, out, start);
      }
      case NODE_CHILDREN_CHANGED -> fireOneShot(Kind.CHILD, path, event, out, start);
    }
    firePersistent(byKind.get(Kind.PERSISTENT).get(path), event, out, start);
    if (recursiveCount > 0 && change.type() != WatchEvent.Type.NODE_CHILDREN_CHANGED) {
      String ancestor = path;
      while (true) {
        firePersistent(byKind.get(Kind.PERSISTENT_RECURSIVE).get(ancestor), event, out, start);
        if (ancestor.equals(Paths.ROOT)) {
          break;
        }
        ancestor = Paths.parent(ancestor);
      }
    }
  }

  /** {@link #trigger(Change, List)} for each change in order. */
  public void triggerAll(List<Change> changes, List<Fired> out) {
    for (Change change : changes) {
      trigger(change, out);
    }
  }

  private void fireOneShot(Kind kind, String path, WatchEvent event, List<Fired> out, int start) {
    List<Reg> regs = byKind.get(kind).remove(path);
    if (regs == null) {
      return;
    }
    for (Reg reg : regs) {
      forget(kind);
      if (!hasAny(kind, path, reg.sessionId())) {
        Set<Key> keys = bySession.get(reg.sessionId());
        if (keys != null) {
          keys.remove(new Key(kind, path));
          if (keys.isEmpty()) {
            bySession.remove(reg.sessionId());
          }
        }
      }
      addOnce(reg, event, out, start);
    }
  }

  private static void firePersistent(List<Reg> regs, WatchEvent event, List<Fired> out, int start) {
    if (regs != null) {
      for (Reg reg : regs) {
        addOnce(reg, event, out, start);
      }
    }
  }

  private static void addOnce(Reg reg, WatchEvent event, List<Fired> out, int start) {
    for (int i = start; i < out.size(); i++) {
      Fired f = out.get(i);
      if (f.sessionId() == reg.sessionId() && f.watcher() == reg.watcher()) {
        return;
      }
    }
    out.add(new Fired(reg.sessionId(), reg.watcher(), event));
  }

  private static boolean alreadyFired(List<Fired> out, long sessionId, Watcher watcher, String path, WatchEvent.Type type) {
    for (Fired f : out) {
      if (f.sessionId() == sessionId && f.watcher() == watcher && f.event().path().equals(path)
          && f.event().type() == type) {
        return true;
      }
    }
    return false;
  }

  private boolean removeReg(Kind kind, String path, Reg reg) {
    Map<String, List<Reg>> table = byKind.get(kind);
    List<Reg> regs = table.get(path);
    if (regs == null || !regs.remove(reg)) {
      return false;
    }
    forget(kind);
    if (regs.isEmpty()) {
      table.remove(path);
    }
    return true;
  }

  private boolean hasAny(Kind kind, String path, long sessionId) {
    List<Reg> regs = byKind.get(kind).get(path);
    if (regs == null) {
      return false;
    }
    for (Reg reg : regs) {
      if (reg.sessionId() == sessionId) {
        return true;
      }
    }
    return false;
  }

  private void forget(Kind kind) {
    size--;
    if (kind == Kind.PERSISTENT_RECURSIVE) {
      recursiveCount--;
    }
  }
}
