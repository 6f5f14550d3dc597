package dev.cohort.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

class HistoryCheckersTest {

  @Test
  void handoffsInTokenOrderPass() {
    OwnershipHistory lock = new OwnershipHistory("lock /a");
    lock.acquired("/a", "w1", 10);
    lock.released("/a", "w1", 10);
    lock.acquired("/a", "w2", 12);
    lock.acquired("/b", "w1", 11); // another resource may be held at the same time
    lock.released("/a", "w2", 12);
    lock.check();
    assertEquals(3, lock.acquisitions());
  }

  @Test
  void overlappingOwnersAreReportedWithBothEvents() {
    OwnershipHistory lock = new OwnershipHistory("lock /a");
    lock.acquired("/a", "w1", 10);
    lock.acquired("/a", "w2", 12);
    HistoryViolation v = assertThrows(HistoryViolation.class, lock::check);
    assertEquals(1, v.violations().size());
    assertTrue(v.violations().get(0).contains("w2 acquired /a (token 12) while w1 held it"), v.getMessage());
  }

  @Test
  void aTokenThatDoesNotGrowIsAViolationEvenWithoutOverlap() {
    OwnershipHistory lock = new OwnershipHistory("lock /a");
    lock.acquired("/a", "w1", 10);
    lock.released("/a", "w1", 10);
    lock.acquired("/a", "w2", 9);
    HistoryViolation v = assertThrows(HistoryViolation.class, lock::check);
    assertTrue(v.violations().get(0).contains("token 9, not above the previous 10"), v.getMessage());
  }

  @Test
  void releasingWhatOneDoesNotHoldIsAViolation() {
    OwnershipHistory lock = new OwnershipHistory("lock /a");
    lock.acquired("/a", "w1", 10);
    lock.released("/a", "w2", 10);
    lock.released("/a", "w1", 11);
    HistoryViolation v = assertThrows(HistoryViolation.class, lock::check);
    assertEquals(2, v.violations().size(), v.getMessage());
  }

  @Test
  void twoLeadersInOneMomentFailTheLeadershipCheck() {
    LeadershipHistory election = new LeadershipHistory("/election");
    election.elected("p1", 5);
    election.deposed("p1", 5);
    election.elected("p2", 7);
    election.check();
    election.elected("p3", 8);
    assertThrows(HistoryViolation.class, election::check);
    assertEquals(3, election.terms());
  }

  @Test
  void everySubmittedJobMustCompleteAndDuplicatesAreCounted() {
    JobHistory jobs = new JobHistory("queue /jobs");
    for (String id : List.of("j1", "j2", "j3")) {
      jobs.submitted(id);
    }
    jobs.completed("j1");
    jobs.completed("j2");
    jobs.completed("j2");
    assertEquals(List.of("j3"), jobs.missing());
    HistoryViolation lost = assertThrows(HistoryViolation.class, jobs::check);
    assertTrue(lost.getMessage().contains("1 of 3 jobs never completed: [j3]"), lost.getMessage());
    jobs.completed("j3");
    jobs.check();
    assertEquals(3, jobs.completedJobs());
    assertEquals(1, jobs.duplicates());
  }

  @Test
  void aCompletionOfAnUnknownJobIsAViolation() {
    JobHistory jobs = new JobHistory("queue /jobs");
    jobs.completed("ghost");
    HistoryViolation v = assertThrows(HistoryViolation.class, jobs::check);
    assertTrue(v.getMessage().contains("ghost completed but was never submitted"));
  }
}
