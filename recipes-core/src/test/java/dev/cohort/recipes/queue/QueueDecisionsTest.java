package dev.cohort.recipes.queue;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import java.util.Set;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import org.junit.jupiter.api.Test;

class QueueDecisionsTest {

  private static String job(int seq) {
    return String.format("job-%010d", seq);
  }

  @Property(tries = 300)
  void everyUnclaimedJobIsOfferedExactlyOnceAndNoClaimedOne(
      @ForAll @IntRange(min = 0, max = 60) int jobCount,
      @ForAll long seed,
      @ForAll @IntRange(min = 1, max = 8) int spread) {
    Random random = new Random(seed);
    List<String> jobs = new ArrayList<>();
    Set<String> claimed = new HashSet<>();
    for (int i = 0; i < jobCount; i++) {
      jobs.add(job(i * 3));
      if (random.nextBoolean()) {
        claimed.add(job(i * 3));
      }
    }
    Collections.shuffle(jobs, random);

    List<String> order = QueueDecisions.claimOrder(jobs, claimed, random.nextLong(), spread);

    Set<String> expected = new HashSet<>(jobs);
    expected.removeAll(claimed);
    assertEquals(expected, new HashSet<>(order));
    assertEquals(expected.size(), order.size(), "no duplicates");
  }

  @Property(tries = 300)
  void theWorkersShareComesFirstAndEachPartIsOldestFirst(
      @ForAll @IntRange(min = 0, max = 60) int jobCount,
      @ForAll long salt,
      @ForAll @IntRange(min = 1, max = 8) int spread) {
    List<String> jobs = new ArrayList<>();
    for (int i = jobCount - 1; i >= 0; i--) {
      jobs.add(job(i));
    }

    List<String> order = QueueDecisions.claimOrder(jobs, Set.of(), salt, spread);

    long share = Math.floorMod(salt, (long) spread);
    int shareSize = 0;
    while (shareSize < order.size() && QueueDecisions.sequence(order.get(shareSize)) % spread == share) {
      shareSize++;
    }
    for (int i = shareSize; i < order.size(); i++) {
      assertTrue(QueueDecisions.sequence(order.get(i)) % spread != share, "the share is not split");
    }
    for (int i = 1; i < order.size(); i++) {
      if (i != shareSize) {
        assertTrue(QueueDecisions.sequence(order.get(i - 1)) < QueueDecisions.sequence(order.get(i)),
            "oldest first within each part: " + order);
      }
    }
    if (!order.isEmpty()) {
      assertTrue(QueueDecisions.sequence(order.get(0)) < spread, "the first try is among the oldest");
    }
  }

  @Test
  void workersWithDifferentSaltsStartOnDifferentJobs() {
    List<String> jobs = List.of(job(1), job(2), job(3), job(4));

    Set<String> firstTries = new HashSet<>();
    for (int worker = 0; worker < 3; worker++) {
      firstTries.add(QueueDecisions.claimOrder(jobs, Set.of(), worker, 3).get(0));
    }

    assertEquals(Set.of(job(1), job(2), job(3)), firstTries);
  }

  @Test
  void foreignNodesAreNeverOfferedAndProtectedNamesSortBySequence() {
    List<String> order =
        QueueDecisions.claimOrder(List.of("readme", job(2), "job-abc", "_c_1234-" + job(0)), Set.of(), 0, 1);

    assertEquals(List.of("_c_1234-" + job(0), job(2)), order);
  }

  @Test
  void aSpreadBelowOneIsRejected() {
    assertThrows(IllegalArgumentException.class, () -> QueueDecisions.claimOrder(List.of(), Set.of(), 0, 0));
  }

  @Test
  void theOldestWaiterWatchesTheJobsAndEveryOtherWatchesItsPredecessor() {
    List<String> line = List.of("w-0000000007", "w-0000000003", "w-0000000005");

    assertEquals(Optional.empty(), QueueDecisions.waiterToWatch(line, "w-0000000003"));
    assertEquals(Optional.of("w-0000000003"), QueueDecisions.waiterToWatch(line, "w-0000000005"));
    assertEquals(Optional.of("w-0000000005"), QueueDecisions.waiterToWatch(line, "w-0000000007"));
  }

  @Test
  void aWaiterMissingFromTheLineIsTold() {
    assertThrows(
        IllegalArgumentException.class,
        () -> QueueDecisions.waiterToWatch(List.of("w-0000000001"), "w-0000000002"));
  }

  @Test
  void aDelayedJobsNameCarriesItsDueTime() {
    String name = "_c_0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0-" + QueueDecisions.delayedPrefix(1_733_550_000_123L, 0) + "0000000042";
    assertEquals(1_733_550_000_123L, QueueDecisions.dueOf(name));
    assertEquals(42, QueueDecisions.sequence(name));
    assertEquals(0, QueueDecisions.dueOf(QueueDecisions.delayedPrefix(0, 0) + "0000000000"));
    assertEquals(Long.MAX_VALUE, QueueDecisions.dueOf("job-0000000001"), "a pending job's name carries none");
    assertEquals(Long.MAX_VALUE, QueueDecisions.dueOf("job-at-12x4567890123-0000000001"));
    assertEquals(Long.MAX_VALUE, QueueDecisions.dueOf("job-at-123"));
    assertThrows(IllegalArgumentException.class, () -> QueueDecisions.delayedPrefix(-1, 0));
    assertThrows(IllegalArgumentException.class, () -> QueueDecisions.delayedPrefix(QueueDecisions.MAX_DUE_MILLIS + 1, 0));
    assertThrows(IllegalArgumentException.class, () -> QueueDecisions.delayedPrefix(0, 10));
    assertEquals(0, QueueDecisions.priorityOf(name));
  }

  @Test
  void aPrioritizedJobsNameCarriesItsPriorityAndDueTime() {
    String name = "_c_0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0-" + QueueDecisions.delayedPrefix(77, 9) + "0000000003";
    assertEquals(9, QueueDecisions.priorityOf(name));
    assertEquals(77, QueueDecisions.dueOf(name));
    assertEquals(3, QueueDecisions.sequence(name));
    assertEquals(4, QueueDecisions.priorityOf("delayed-" + QueueDecisions.delayedPrefix(5, 4) + "0000000000"));
    assertEquals(0, QueueDecisions.priorityOf("job-0000000001"));
  }

  @Property(tries = 300)
  void bucketNamesAreZeroPaddedToTenDigitsAndReadBack(@ForAll long seed) {
    long index = Math.floorMod(seed, 10_000_000_000L);
    String name = QueueDecisions.bucketName(index);
    assertEquals(String.format("b-%010d", index), name);
    assertEquals(index, QueueDecisions.bucketIndex(name));
  }

  @Test
  void bucketNamesAtTheEndsOfTheRange() {
    assertEquals("b-0000000000", QueueDecisions.bucketName(0));
    assertEquals("b-9999999999", QueueDecisions.bucketName(9_999_999_999L));
    assertThrows(IllegalArgumentException.class, () -> QueueDecisions.bucketName(-1));
    assertThrows(IllegalArgumentException.class, () -> QueueDecisions.bucketName(10_000_000_000L));
    assertEquals("job-p3-at-0000000000042-", QueueDecisions.delayedPrefix(42, 3));
  }
}
