package dev.cohort.recipes.barrier;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;

/**
 * The pure decisions of {@code DoubleBarrier}, after ZooKeeper's double-barrier recipe.
 *
 * <p>Entering: a member creates its node and then, seeing at least N members, creates the ready
 * node that releases everyone; fewer, it waits for the ready node. Leaving: members leave in an
 * order that wakes one member per departure instead of all of them: the lowest-named member waits
 * for the highest to go, every other member removes its node and waits for the lowest to go.
 */
final class BarrierDecisions {

  private BarrierDecisions() {}

  /** Whether the members seen so far are enough to open the barrier. */
  static boolean enoughToEnter(Collection<String> members, int memberCount) {
    return members.size() >= memberCount;
  }

  /** What a member that is leaving does next. */
  sealed interface Leave {
    /** Nobody, including me, is left: the barrier is empty. */
    record Done() implements Leave {}

    /** I am the last one left: delete my node, and the barrier is empty. */
    record DeleteMineAndDone() implements Leave {}

    /** Wait until {@code node} is gone, then decide again; my node stays. */
    record WaitFor(String node) implements Leave {}

    /** Delete my node, wait until {@code node} is gone, then decide again. */
    record DeleteMineAndWaitFor(String node) implements Leave {}
  }

  /**
   * @param members the names of the members' nodes still in the barrier
   * @param me my node's name, possibly already deleted
   */
  static Leave leave(Collection<String> members, String me) {
    List<String> sorted = new ArrayList<>(members);
    sorted.sort(null);
    if (sorted.isEmpty()) {
      return new Leave.Done();
    }
    boolean present = sorted.contains(me);
    if (present && sorted.size() == 1) {
      return new Leave.DeleteMineAndDone();
    }
    String lowest = sorted.get(0);
    String highest = sorted.get(sorted.size() - 1);
    if (me.equals(lowest)) {
      return new Leave.WaitFor(highest);
    }
    return present ? new Leave.DeleteMineAndWaitFor(lowest) : new Leave.WaitFor(lowest);
  }
}
