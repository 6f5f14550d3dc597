package dev.cohort.recipes.barrier;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cohort.recipes.barrier.BarrierDecisions.Leave;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeSet;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import org.junit.jupiter.api.Test;

class BarrierDecisionsTest {

  @Test
  void theBarrierOpensOnlyOnceEnoughMembersHaveEntered() {
    assertFalse(BarrierDecisions.enoughToEnter(List.of("a", "b"), 3));
    assertTrue(BarrierDecisions.enoughToEnter(List.of("a", "b", "c"), 3));
  }

  @Test
  void theLowestWaitsForTheHighestAndOthersLeaveAndWaitForTheLowest() {
    List<String> members = List.of("m2", "m1", "m3");

    assertEquals(new Leave.WaitFor("m3"), BarrierDecisions.leave(members, "m1"));
    assertEquals(new Leave.DeleteMineAndWaitFor("m1"), BarrierDecisions.leave(members, "m2"));
    assertEquals(new Leave.DeleteMineAndWaitFor("m1"), BarrierDecisions.leave(members, "m3"));
    assertEquals(new Leave.DeleteMineAndDone(), BarrierDecisions.leave(List.of("m1"), "m1"));
    assertEquals(new Leave.Done(), BarrierDecisions.leave(List.of(), "m1"));
  }

  /**
   * Runs the leave protocol for n members in a random interleaving, with nodes as a set and waits as
   * "blocked until that node is gone", and checks the double barrier's guarantee: nobody finishes
   * leaving while any member's node is still there, and everybody finishes.
   */
  @Property(tries = 300)
  void nobodyFinishesLeavingBeforeEveryoneHasLeftAndEveryoneFinishes(
      @ForAll @IntRange(min = 1, max = 9) int n, @ForAll long seed) {
    Random random = new Random(seed);
    TreeSet<String> nodes = new TreeSet<>();
    for (int i = 0; i < n; i++) {
      nodes.add("m" + i);
    }
    Map<String, String> waitingFor = new HashMap<>();
    List<String> active = new ArrayList<>(nodes);
    int finished = 0;
    for (int step = 0; step < 100 * n && !active.isEmpty(); step++) {
      String me = active.get(random.nextInt(active.size()));
      String awaited = waitingFor.get(me);
      if (awaited != null && nodes.contains(awaited)) {
        continue; // still blocked
      }
      Leave decision = BarrierDecisions.leave(nodes, me);
      if (decision instanceof Leave.Done || decision instanceof Leave.DeleteMineAndDone) {
        nodes.remove(me);
        assertTrue(nodes.isEmpty(), me + " finished leaving while " + nodes + " remain");
        active.remove(me);
        finished++;
      } else if (decision instanceof Leave.WaitFor w) {
        waitingFor.put(me, w.node());
      } else if (decision instanceof Leave.DeleteMineAndWaitFor w) {
        nodes.remove(me);
        waitingFor.put(me, w.node());
      }
    }
    assertEquals(n, finished, "every member finished leaving");
  }
}
