package dev.cohort.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cohort.recipes.FencingToken;
import dev.cohort.recipes.leader.LeadershipTerm;
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
  void aLateNotLeaderOfAnExpiredLeaderIsNotASecondLeader() {
    // The test expires p1's session; p2 is elected and told so before p1's notLeader callback
    // arrives. p1's term ended with its session, so the two terms never overlapped.
    LeadershipHistory election = new LeadershipHistory("/election");
    election.elected("p1", 5, 0x11);
    election.sessionEnded(0x11);
    election.elected("p2", 7, 0x22);
    election.deposed("p1", 5, 0x11);
    election.deposed("p2", 7, 0x22);
    election.check();
    assertEquals(2, election.terms());
  }

  @Test
  void aLateIsLeaderOfAnEndedSessionIsNotASecondLeader() {
    // p1's isLeader was still queued when its session ended and p2 took over.
    LeadershipHistory election = new LeadershipHistory("/election");
    election.sessionEnded(0x11);
    election.elected("p2", 7, 0x22);
    election.elected("p1", 5, 0x11);
    election.deposed("p1", 5, 0x11);
    election.check();
  }

  @Test
  void twoLeadersWithValidSessionsAndOverlappingTermsAreCaughtWhateverTheOrderOfTheirTokens() {
    LeadershipHistory election = new LeadershipHistory("/election");
    election.elected("p1", 5, 0x11);
    election.elected("p2", 7, 0x22);
    election.deposed("p1", 5, 0x11);
    HistoryViolation v = assertThrows(HistoryViolation.class, election::check);
    assertEquals(1, v.violations().size(), v.getMessage());
    assertTrue(v.getMessage().contains("p2 elected in term 7 while p1 led term 5"), v.getMessage());
  }

  @Test
  void anotherSessionEndingDoesNotExcuseALiveLeader() {
    LeadershipHistory election = new LeadershipHistory("/election");
    election.elected("p1", 5, 0x11);
    election.sessionEnded(0x33);
    election.elected("p2", 7, 0x22);
    assertThrows(HistoryViolation.class, election::check);
  }

  @Test
  void anOldTermComingBackAfterANewerOneIsAViolation() {
    // p1 stepped down, p2 led term 7, then p1 claimed its old term 5 again on a live session.
    LeadershipHistory election = new LeadershipHistory("/election");
    election.elected("p1", 5, 0x11);
    election.deposed("p1", 5, 0x11);
    election.elected("p2", 7, 0x22);
    election.deposed("p2", 7, 0x22);
    election.elected("p1", 5, 0x11);
    HistoryViolation v = assertThrows(HistoryViolation.class, election::check);
    assertTrue(v.getMessage().contains("term 5, not above the newest term 7"), v.getMessage());
  }

  @Test
  void aReconfirmedTermIsTheSameTermNotANewOne() {
    // After a reconnect a latch may report the term it already led again (same token).
    LeadershipHistory election = new LeadershipHistory("/election");
    election.elected("p1", 5, 0x11);
    election.elected("p1", 5, 0x11);
    election.deposed("p1", 5, 0x11);
    election.elected("p1", 5, 0x11);
    election.deposed("p1", 5, 0x11);
    election.elected("p2", 7, 0x22);
    election.check();
    assertEquals(2, election.terms());
  }

  @Test
  void twoParticipantsClaimingOneTermIsAViolation() {
    LeadershipHistory election = new LeadershipHistory("/election");
    election.elected("p1", 5, 0x11);
    election.sessionEnded(0x11);
    election.elected("p2", 5, 0x22);
    HistoryViolation v = assertThrows(HistoryViolation.class, election::check);
    assertTrue(v.getMessage().contains("p2 claimed term 5 of p1"), v.getMessage());
  }

  @Test
  void termsRecordedFromLeadershipTermsCarryTheirSession() {
    LeadershipHistory election = new LeadershipHistory("/election");
    LeadershipTerm first = new LeadershipTerm("p1", new FencingToken(5), 0x11);
    LeadershipTerm second = new LeadershipTerm("p2", new FencingToken(7), 0x22);
    election.elected(first);
    election.sessionEnded(first.sessionId());
    election.elected(second);
    election.deposed(first);
    election.check();
    election.elected(new LeadershipTerm("p3", new FencingToken(9), 0x33));
    assertThrows(HistoryViolation.class, election::check);
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
