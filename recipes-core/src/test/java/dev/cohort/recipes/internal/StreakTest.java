package dev.cohort.recipes.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cohort.recipes.OwnedNode;
import org.junit.jupiter.api.Test;

/** The streak's arithmetic: the very next sequence on the same session, across the counter's wrap. */
class StreakTest {

  private static OwnedNode node(String name, long session) {
    return new OwnedNode("/l/_c_0f-" + name, 1, session);
  }

  /** The suffix the service gives sequence {@code n}, as ZooKeeper formats it ({@code %010d}). */
  private static String suffix(int n) {
    return String.format("%010d", n);
  }

  @Test
  void onlyTheVeryNextSequenceOnTheSameSessionContinuesIt() {
    SequentialQueue.Streak streak = Place.streakAfter(node("lock-0000000041", 7));
    assertEquals(new SequentialQueue.Streak(7, 42), streak);
    assertTrue(Place.continues(streak, node("lock-0000000042", 7)));
    assertFalse(Place.continues(streak, node("lock-0000000043", 7)), "someone created a node in between");
    assertFalse(Place.continues(streak, node("lock-0000000041", 7)));
    assertFalse(Place.continues(streak, node("lock-0000000042", 8)), "another session");
    assertFalse(Place.continues(streak, node("lock-", 7)), "no sequence");
  }

  @Test
  void theStreakFollowsTheCountersWrapPastIntegerMaxValue() {
    SequentialQueue.Streak streak = Place.streakAfter(node("lock-2147483647", 7));
    assertEquals(Integer.MIN_VALUE, streak.nextSequence());
    assertTrue(Place.continues(streak, node("lock-" + suffix(Integer.MIN_VALUE), 7)));
    assertFalse(Place.continues(streak, node("lock-0000000000", 7)));
    assertTrue(Place.continues(Place.streakAfter(node("lock-" + suffix(-2), 7)), node("lock-" + suffix(-1), 7)));
    assertTrue(Place.continues(Place.streakAfter(node("lock-" + suffix(-1), 7)), node("lock-" + suffix(0), 7)));
  }

  @Test
  void aNameWithoutSequenceLeavesNoStreak() {
    assertNull(Place.streakAfter(node("lock-", 7)));
  }
}
