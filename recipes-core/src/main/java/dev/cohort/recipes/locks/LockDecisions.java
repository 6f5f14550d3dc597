package dev.cohort.recipes.locks;

import dev.cohort.recipes.NodeNames;
import java.util.List;
import java.util.Objects;

/**
 * The pure decisions of the lock recipes: given the lock's children sorted by sequence and the
 * name of our node, who holds the lock and whom to watch. Each waiter watches exactly one node, so
 * a release wakes at most one waiter (readers of a read-write lock excepted: they share).
 */
public final class LockDecisions {

  private LockDecisions() {}

  /** What a contender does next. */
  public sealed interface Decision permits Acquired, WatchPredecessor, NodeMissing {}

  /** Our node holds the lock (or lease). */
  public record Acquired() implements Decision {}

  /** Wait until the named node changes, then decide again. */
  public record WatchPredecessor(String name) implements Decision {
    public WatchPredecessor {
      Objects.requireNonNull(name, "name");
    }
  }

  /** Our node is not among the children: it was deleted (typically its session expired). */
  public record NodeMissing() implements Decision {}

  private static final Acquired ACQUIRED = new Acquired();
  private static final NodeMissing MISSING = new NodeMissing();

  /**
   * An exclusive lock: the first node holds it; every other node watches the one just before it.
   *
   * @param sorted the children, sorted by {@link NodeNames#sortBySequence}
   * @param ours the name of our node
   */
  public static Decision exclusive(List<String> sorted, String ours) {
    return shared(sorted, ours, 1);
  }

  /**
   * A lock with {@code maxHolders} holders: the first {@code maxHolders} nodes hold it; every other
   * node watches the one just before it.
   */
  public static Decision shared(List<String> sorted, String ours, int maxHolders) {
    if (maxHolders < 1) {
      throw new IllegalArgumentException("maxHolders must be positive: " + maxHolders);
    }
    int at = sorted.indexOf(ours);
    if (at < 0) {
      return MISSING;
    }
    return at < maxHolders ? ACQUIRED : new WatchPredecessor(sorted.get(at - 1));
  }

  /**
   * The read side of a read-write lock: a reader holds the lock when no writer's node comes before
   * its own; otherwise it watches the nearest writer before it (not the readers in between, which
   * would only share with it).
   */
  public static Decision read(List<String> sorted, String ours) {
    int at = sorted.indexOf(ours);
    if (at < 0) {
      return MISSING;
    }
    for (int i = at - 1; i >= 0; i--) {
      if (isWriter(sorted.get(i))) {
        return new WatchPredecessor(sorted.get(i));
      }
    }
    return ACQUIRED;
  }

  /** The write side of a read-write lock: exclusive over readers and writers alike. */
  public static Decision write(List<String> sorted, String ours) {
    return exclusive(sorted, ours);
  }

  /** Whether a child of a read-write lock is a writer's node. */
  public static boolean isWriter(String name) {
    return NodeNames.withoutMarker(name).startsWith(ReadWriteLock.WRITE_NAME);
  }
}
