package dev.cohort.recipes.locks;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;
import org.junit.jupiter.api.Test;

class LockDecisionsTest {

  private static String node(String kind, int seq) {
    return "_c_0f8fad5b-d9cb-469f-a165-70867728950" + (seq % 10) + "-" + kind + String.format("%010d", seq);
  }

  @Test
  void firstNodeHoldsTheExclusiveLock() {
    List<String> sorted = List.of(node("lock-", 1), node("lock-", 4));
    assertInstanceOf(LockDecisions.Acquired.class, LockDecisions.exclusive(sorted, node("lock-", 1)));
  }

  @Test
  void aWaiterWatchesOnlyItsImmediatePredecessor() {
    List<String> sorted = List.of(node("lock-", 1), node("lock-", 4), node("lock-", 9));
    assertEquals(new LockDecisions.WatchPredecessor(node("lock-", 4)), LockDecisions.exclusive(sorted, node("lock-", 9)));
  }

  @Test
  void aMissingNodeIsReportedNotMistakenForAWait() {
    assertInstanceOf(LockDecisions.NodeMissing.class, LockDecisions.exclusive(List.of(node("lock-", 1)), node("lock-", 2)));
  }

  @Property
  void everyWaiterWatchesADifferentNodeSoNoReleaseWakesTwo(@ForAll @IntRange(min = 1, max = 60) int size) {
    List<String> sorted = new ArrayList<>();
    for (int i = 0; i < size; i++) {
      sorted.add(node("lock-", i * 3 + 1));
    }
    Map<String, Integer> watchers = new HashMap<>();
    int holders = 0;
    for (String n : sorted) {
      LockDecisions.Decision d = LockDecisions.exclusive(sorted, n);
      if (d instanceof LockDecisions.Acquired) {
        holders++;
      } else if (d instanceof LockDecisions.WatchPredecessor w) {
        watchers.merge(w.name(), 1, Integer::sum);
      }
    }
    assertEquals(1, holders);
    assertEquals(size - 1, watchers.size(), "two waiters watch the same node");
  }

  @Test
  void readersShareUntilAWriterAndThenWatchOnlyTheNearestWriter() {
    String r1 = node("read-", 1);
    String r2 = node("read-", 2);
    String w3 = node("write-", 3);
    String r4 = node("read-", 4);
    String w5 = node("write-", 5);
    String r6 = node("read-", 6);
    List<String> sorted = List.of(r1, r2, w3, r4, w5, r6);
    assertInstanceOf(LockDecisions.Acquired.class, LockDecisions.read(sorted, r1));
    assertInstanceOf(LockDecisions.Acquired.class, LockDecisions.read(sorted, r2));
    assertEquals(new LockDecisions.WatchPredecessor(w3), LockDecisions.read(sorted, r4));
    assertEquals(new LockDecisions.WatchPredecessor(w5), LockDecisions.read(sorted, r6));
    assertEquals(new LockDecisions.WatchPredecessor(r2), LockDecisions.write(sorted, w3));
  }

  @Property
  void readersAndAWriterNeverHoldTogether(@ForAll @Size(min = 1, max = 30) List<Boolean> writerFlags) {
    List<String> sorted = new ArrayList<>();
    for (int i = 0; i < writerFlags.size(); i++) {
      sorted.add(node(writerFlags.get(i) ? "write-" : "read-", i + 1));
    }
    int writersHolding = 0;
    int readersHolding = 0;
    for (String n : sorted) {
      boolean writer = LockDecisions.isWriter(n);
      LockDecisions.Decision d = writer ? LockDecisions.write(sorted, n) : LockDecisions.read(sorted, n);
      if (d instanceof LockDecisions.Acquired) {
        if (writer) {
          writersHolding++;
        } else {
          readersHolding++;
        }
      }
    }
    assertEquals(true, writersHolding == 0 || (writersHolding == 1 && readersHolding == 0),
        "writers " + writersHolding + ", readers " + readersHolding);
    assertEquals(true, writersHolding + readersHolding > 0, "nobody holds a non-empty lock");
  }

  @Test
  void theFirstNHoldASharedLockAndTheRestWatchTheirPredecessor() {
    List<String> sorted = List.of(node("lease-", 1), node("lease-", 2), node("lease-", 3));
    assertInstanceOf(LockDecisions.Acquired.class, LockDecisions.shared(sorted, node("lease-", 2), 2));
    assertEquals(new LockDecisions.WatchPredecessor(node("lease-", 2)), LockDecisions.shared(sorted, node("lease-", 3), 2));
    assertThrows(IllegalArgumentException.class, () -> LockDecisions.shared(sorted, node("lease-", 1), 0));
  }
}
