package dev.cohort.recipes;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

class NodeNamesTest {

  private static final String UUID_A = "0f8fad5b-d9cb-469f-a165-70867728950e";
  private static final String UUID_B = "7c9e6679-7425-40de-944b-e07fc1f90ae7";

  @Test
  void sortsBySequenceNotByTheUuidInFront() {
    String late = "_c_" + UUID_A + "-lock-0000000012";
    String early = "_c_" + UUID_B + "-lock-0000000003";
    assertEquals(List.of(early, late), NodeNames.sortBySequence(List.of(late, early)));
  }

  @Test
  void leavesOutNamesWithoutASequenceSuffix() {
    assertEquals(List.of("lock-0000000001"), NodeNames.sortBySequence(List.of("gate", "lock-0000000001", "leases")));
  }

  @Test
  void stripsOnlyARealProtectionMarker() {
    assertTrue(NodeNames.isProtected("_c_" + UUID_A + "-write-0000000001"));
    assertEquals("write-0000000001", NodeNames.withoutMarker("_c_" + UUID_A + "-write-0000000001"));
    assertFalse(NodeNames.isProtected("_c_short-write-0000000001"));
    assertEquals("write-0000000001", NodeNames.withoutMarker("write-0000000001"));
  }
}
