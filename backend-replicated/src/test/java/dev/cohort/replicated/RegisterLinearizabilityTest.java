package dev.cohort.replicated;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cohort.replicated.RegisterLinearizability.Op;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The checker itself must catch violations, or the simulation's verdicts mean nothing. */
class RegisterLinearizabilityTest {
  private static final long NEVER = Long.MAX_VALUE;

  @Test
  void sequentialWriteThenReadOfThatValueIsLinearizable() {
    assertTrue(RegisterLinearizability.isLinearizable(List.of(
        new Op(0, 1, true, "a"), new Op(2, 3, false, "a"))));
  }

  @Test
  void readOfAnOverwrittenValueAfterTheOverwriteCompletedIsNot() {
    assertFalse(RegisterLinearizability.isLinearizable(List.of(
        new Op(0, 1, true, "a"), new Op(2, 3, true, "b"), new Op(4, 5, false, "a"))));
  }

  @Test
  void concurrentWriteMayBeSeenOrNot() {
    assertTrue(RegisterLinearizability.isLinearizable(List.of(
        new Op(0, 10, true, "a"), new Op(1, 2, false, null), new Op(3, 4, false, "a"))));
    assertFalse(RegisterLinearizability.isLinearizable(List.of(
        new Op(0, 10, true, "a"), new Op(1, 2, false, "a"), new Op(3, 4, false, null))),
        "once a read saw the write, a later read cannot miss it");
  }

  @Test
  void writeWithUnknownOutcomeMayTakeEffectLateOrNever() {
    assertTrue(RegisterLinearizability.isLinearizable(List.of(
        new Op(0, NEVER, true, "x"), new Op(5, 6, false, null), new Op(7, 8, false, "x"))));
    assertTrue(RegisterLinearizability.isLinearizable(List.of(
        new Op(0, NEVER, true, "x"), new Op(5, 6, false, null))));
    assertFalse(RegisterLinearizability.isLinearizable(List.of(
        new Op(3, NEVER, true, "x"), new Op(0, 1, false, "x"))),
        "a write cannot be seen before it was issued");
  }
}
