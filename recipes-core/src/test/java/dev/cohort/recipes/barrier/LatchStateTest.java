package dev.cohort.recipes.barrier;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** The latch's node data and the decisions made on it, without a backend. */
class LatchStateTest {

  @Test
  void aLatchRemembersExactlyTheLastSixtyFourCountDowns() {
    LatchState state = LatchState.fresh(100);
    for (long id = 1; id <= 70; id++) {
      state = state.countedDown(7, id);
    }

    assertEquals(30, state.count());
    for (long id = 1; id <= 6; id++) {
      assertFalse(state.applied(7, id), "count-down " + id + " is older than the last 64");
    }
    for (long id = 7; id <= 70; id++) {
      assertTrue(state.applied(7, id), "count-down " + id);
    }
    assertFalse(state.applied(8, 70), "ids differ in both halves");
  }

  @Test
  void theNodeDataSurvivesEncoding() {
    LatchState state = LatchState.fresh(3).countedDown(1, 2).countedDown(3, 4);

    LatchState read = LatchState.decode("/l", state.encode());

    assertEquals(3, read.initial());
    assertEquals(1, read.count());
    assertTrue(read.applied(1, 2) && read.applied(3, 4));
  }

  @Test
  void anOpenLatchIsNotCountedDownAndForeignDataIsNotALatch() {
    assertThrows(IllegalStateException.class, () -> LatchState.fresh(0).countedDown(1, 1));
    assertThrows(IllegalArgumentException.class, () -> LatchState.decode("/l", new byte[0]));
    assertThrows(IllegalArgumentException.class, () -> LatchState.decode("/l", "hello, world!".getBytes()));
    byte[] valid = LatchState.fresh(2).encode();
    valid[0] = 9;
    assertThrows(IllegalArgumentException.class, () -> LatchState.decode("/l", valid));
  }
}
