package dev.cohort.recipes.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.cohort.recipes.NodeNames;
import dev.cohort.recipes.locks.LockDecisions;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** The one-pass readings of a listing agree with sorting it by the reference comparator. */
class SequencesTest {

  private static String seq(int n) {
    return String.format("%010d", n);
  }

  /** Listings with protected and plain names, equal sequences, names without one, signs, big values. */
  private static List<String> listing(Random random) {
    List<String> names = new ArrayList<>();
    int size = 1 + random.nextInt(40);
    for (int i = 0; i < size; i++) {
      int n = random.nextInt(8) == 0 ? Integer.MAX_VALUE - random.nextInt(3) : random.nextInt(60);
      String base = random.nextBoolean() ? "lock-" : "revocable-lock-";
      String name = switch (random.nextInt(6)) {
        case 0 -> "_c_" + new java.util.UUID(random.nextLong(), random.nextLong()) + "-" + base + seq(n);
        case 1 -> "not-sequential";
        case 2 -> base + String.format("%011d", -1 - random.nextInt(5)).replace("0000000000", "-000000000");
        default -> base + seq(n);
      };
      if (!names.contains(name)) {
        names.add(name);
      }
    }
    Collections.shuffle(names, random);
    return names;
  }

  @Test
  void sortOrdersAsTheReferenceSort() {
    Random random = new Random(7);
    for (int i = 0; i < 2000; i++) {
      List<String> names = listing(random);
      assertEquals(NodeNames.sortBySequence(names), Sequences.sort(names), names.toString());
    }
  }

  @Test
  void standingDecidesAsTheExclusiveDecisionOnTheSortedListing() {
    Random random = new Random(11);
    for (int i = 0; i < 2000; i++) {
      List<String> names = listing(random);
      List<String> sorted = NodeNames.sortBySequence(names);
      if (sorted.isEmpty()) {
        continue;
      }
      String ours = sorted.get(random.nextInt(sorted.size()));
      Sequences.Standing at = Sequences.standing(names, ours);
      LockDecisions.Decision expected = LockDecisions.exclusive(sorted, ours);
      assertEquals(true, at.found());
      assertEquals(sorted.size(), at.queued());
      assertEquals(sorted.indexOf(ours), at.ahead());
      if (expected instanceof LockDecisions.WatchPredecessor w) {
        assertEquals(w.name(), at.predecessor(), names.toString());
      } else {
        assertEquals(null, at.predecessor());
      }
      assertEquals(false, Sequences.standing(names, "lock-" + seq(999)).found());
    }
  }
}
