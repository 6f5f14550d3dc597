package dev.cohort.recipes.group;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The pure difference between two snapshots of a group, reported to listeners as events.
 *
 * <p>An id only in {@code after} joined; an id only in {@code before} left; an id in both whose
 * incarnation or payload version differs was updated (a re-join after session loss counts as an
 * update: the member was there before and is there now). Every list is sorted by id, so the events
 * come in a deterministic order.
 *
 * @param joined members present only in the later snapshot
 * @param left members present only in the earlier snapshot (as they were then)
 * @param updated members present in both whose state changed (as they are now)
 */
record MembershipDiff(List<Member> joined, List<Member> left, List<Member> updated) {

  MembershipDiff {
    joined = List.copyOf(joined);
    left = List.copyOf(left);
    updated = List.copyOf(updated);
  }

  static MembershipDiff between(Map<String, Member> before, Map<String, Member> after) {
    List<Member> joined = new ArrayList<>();
    List<Member> left = new ArrayList<>();
    List<Member> updated = new ArrayList<>();
    for (Member now : new TreeMap<>(after).values()) {
      Member then = before.get(now.id());
      if (then == null) {
        joined.add(now);
      } else if (!then.sameStateAs(now)) {
        updated.add(now);
      }
    }
    for (Member then : new TreeMap<>(before).values()) {
      if (!after.containsKey(then.id())) {
        left.add(then);
      }
    }
    return new MembershipDiff(joined, left, updated);
  }

  boolean isEmpty() {
    return joined.isEmpty() && left.isEmpty() && updated.isEmpty();
  }
}
