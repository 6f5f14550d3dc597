package dev.cohort.testing.soak;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

/** The soak's queue checker finds each broken promise, and nothing in a clean run. */
class QueueLedgerTest {

  @Test
  void aCleanRunHasNoViolationsEvenWhenAJobCompletesBeforeItsPutReturns() {
    QueueLedger ledger = new QueueLedger();
    ledger.putStarted("a");
    ledger.taken("a", "job-1", 0, "w1"); // the put's reply was lost; a worker was quicker
    ledger.completed("a", "job-1", 0, "w1", true);
    ledger.putReturned("a");
    ledger.putStarted("b");
    ledger.putReturned("b");
    ledger.taken("b", "job-2", 0, "w1");
    ledger.failed("b", "job-2", "w1", "REQUEUED");
    ledger.taken("b", "job-3", 1, "w2");
    ledger.deadLettered("b");
    assertEquals(List.of(), ledger.violations());
    assertEquals(0, ledger.duplicates());
  }

  @Test
  void aReturnedPutThatNeverFinishesIsLost() {
    QueueLedger ledger = new QueueLedger();
    ledger.putStarted("a");
    ledger.putReturned("a");
    ledger.taken("a", "job-1", 0, "w1");
    List<String> violations = ledger.violations();
    assertTrue(violations.get(0).startsWith("lost: ") && violations.get(0).contains("[a]"), violations.toString());
  }

  @Test
  void aCompletionWhoseOutcomeWasNeverLearnedCountsOnlyOnceTheQueueIsEmpty() {
    QueueLedger ledger = new QueueLedger();
    ledger.putStarted("a");
    ledger.putReturned("a");
    ledger.taken("a", "job-1", 0, "w1");
    ledger.completionUnknown("a");
    assertEquals(1, ledger.violations().stream().filter(v -> v.startsWith("lost: ")).count());
    ledger.settleUnknownCompletions();
    assertEquals(List.of(), ledger.violations());
  }

  @Test
  void twoFirstAttemptNodesForOnePayloadAreTwoJobsForOnePut() {
    QueueLedger ledger = new QueueLedger();
    ledger.putStarted("a");
    ledger.taken("a", "job-1", 0, "w1");
    ledger.completed("a", "job-1", 0, "w1", true);
    ledger.putReturned("a");
    ledger.taken("a", "job-2", 0, "w2");
    ledger.completed("a", "job-2", 0, "w2", true);
    List<String> violations = ledger.violations();
    assertEquals(1, violations.size(), violations.toString());
    assertTrue(violations.get(0).startsWith("two jobs for one put: a"), violations.toString());
    assertEquals(1, ledger.duplicates());
  }

  @Test
  void aJobTakenAgainAfterItsCompletionReturnedTrueIsACompletionWithoutEffect() {
    QueueLedger ledger = new QueueLedger();
    ledger.putStarted("a");
    ledger.putReturned("a");
    ledger.taken("a", "job-1", 0, "w1");   // w1's session expires
    ledger.taken("a", "job-1", 0, "w2");
    ledger.failed("a", "job-1", "w2", "REQUEUED");
    ledger.completed("a", "job-1", 0, "w1", true); // the lie
    ledger.taken("a", "job-3", 1, "w3");
    ledger.completed("a", "job-3", 1, "w3", true);
    List<String> violations = ledger.violations();
    assertEquals(1, violations.size(), violations.toString());
    assertTrue(violations.get(0).startsWith("complete() true for a claim that did not complete: a"), violations.toString());
    assertEquals(1, ledger.completionsThatDidNotTakeEffect());
  }

  @Test
  void twoClaimsOfOneJobNodeBothReportingCompletionIsACompletionWithoutEffect() {
    QueueLedger ledger = new QueueLedger();
    ledger.putStarted("a");
    ledger.putReturned("a");
    ledger.taken("a", "job-1", 0, "w1");   // w1 pauses, its session expires
    ledger.taken("a", "job-1", 0, "w2");
    ledger.completed("a", "job-1", 0, "w2", true);
    ledger.completed("a", "job-1", 0, "w1", true); // the job is gone, but not by w1's claim
    List<String> violations = ledger.violations();
    assertEquals(1, violations.size(), violations.toString());
    assertTrue(violations.get(0).startsWith("complete() true for a claim that did not complete: another worker"),
        violations.toString());
    assertEquals(1, ledger.completionsThatDidNotTakeEffect());
  }

  @Test
  void aCompletionAfterAnotherWorkerRequeuedTheJobIsACompletionWithoutEffect() {
    // The case: A's session expires, B takes the job and fails it (requeued under a new
    // name), C completes the requeued job, then A's complete() returns true.
    QueueLedger ledger = new QueueLedger();
    ledger.putStarted("a");
    ledger.putReturned("a");
    ledger.taken("a", "job-1", 0, "A");
    ledger.taken("a", "job-1", 0, "B");
    ledger.failed("a", "job-1", "B", "REQUEUED");
    ledger.taken("a", "job-2", 1, "C");
    ledger.completed("a", "job-2", 1, "C", true);
    ledger.completed("a", "job-1", 0, "A", true);
    List<String> violations = ledger.violations();
    assertEquals(1, violations.size(), violations.toString());
    assertTrue(violations.get(0).startsWith("complete() true for a claim that did not complete"), violations.toString());
  }

  @Test
  void theLastClaimantsCompletionIsNoViolation() {
    QueueLedger ledger = new QueueLedger();
    ledger.putStarted("a");
    ledger.putReturned("a");
    ledger.taken("a", "job-1", 0, "A");
    ledger.taken("a", "job-1", 0, "B");
    ledger.completed("a", "job-1", 0, "A", false);
    ledger.completed("a", "job-1", 0, "B", true);
    assertEquals(List.of(), ledger.violations());
  }

  @Test
  void aPayloadThatWasNeverPutIsAGhost() {
    QueueLedger ledger = new QueueLedger();
    ledger.deadLettered("x");
    assertEquals(List.of("ghost: x finished but was never put"), ledger.violations());
  }
}
