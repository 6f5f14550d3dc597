package dev.cohort.recipes.group;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class MembershipDiffTest {

  private static Member member(String id, long incarnation, int version) {
    return new Member(id, new byte[] {(byte) version}, incarnation, version);
  }

  @Test
  void newIdsJoinMissingIdsLeaveAndChangedOnesAreUpdated() {
    Map<String, Member> before = Map.of(
        "a", member("a", 10, 0),
        "b", member("b", 11, 0),
        "c", member("c", 12, 0));
    Map<String, Member> after = Map.of(
        "a", member("a", 10, 0),
        "b", member("b", 11, 1),
        "d", member("d", 20, 0));

    MembershipDiff diff = MembershipDiff.between(before, after);

    assertEquals(List.of(member("d", 20, 0)), diff.joined());
    assertEquals(List.of(member("c", 12, 0)), diff.left());
    assertEquals(List.of(member("b", 11, 1)), diff.updated());
  }

  @Test
  void aRejoinWithANewIncarnationIsAnUpdateNotALeaveAndJoin() {
    MembershipDiff diff = MembershipDiff.between(
        Map.of("a", member("a", 10, 0)), Map.of("a", member("a", 30, 0)));

    assertEquals(List.of(member("a", 30, 0)), diff.updated());
    assertTrue(diff.joined().isEmpty() && diff.left().isEmpty());
  }

  @Test
  void identicalSnapshotsDifferInNothing() {
    Map<String, Member> snapshot = Map.of("a", member("a", 10, 2), "b", member("b", 11, 0));

    assertTrue(MembershipDiff.between(snapshot, snapshot).isEmpty());
  }

  @Test
  void eventsComeSortedById() {
    MembershipDiff diff = MembershipDiff.between(
        Map.of(), Map.of("z", member("z", 1, 0), "a", member("a", 2, 0), "m", member("m", 3, 0)));

    assertEquals(List.of("a", "m", "z"), diff.joined().stream().map(Member::id).toList());
  }
}
