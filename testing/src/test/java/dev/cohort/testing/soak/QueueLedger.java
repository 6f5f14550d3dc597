package dev.cohort.testing.soak;

import dev.cohort.testing.JobHistory;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.IntStream;

/**
 * The soak's history of one work queue, and its check of the queue's three promises:
 * <ol>
 *   <li>every job whose {@code put} returned is completed or dead-lettered;
 *   <li>one returned {@code put} is one job: its payload (unique per put) ends exactly once, by a
 *       {@code complete()} that returned true or in the dead letters;
 *   <li>{@code complete()} returns true only when this claim's completion took effect: a payload
 *       whose completion was reported is never taken again.
 * </ol>
 * A payload that ends twice is a duplicate; the ledger tells the two known causes apart by what the
 * workers saw. If two different job nodes carried the payload on their first attempt, one put
 * became two jobs. If the payload was taken again after a completion of it returned true, that
 * completion did not take effect.
 *
 * <p>Built on {@link JobHistory} (every returned put finished; finishes beyond the first counted);
 * thread-safe.
 */
final class QueueLedger {

  private final Set<String> returned = new TreeSet<>(); // guarded by this
  private final Set<String> attempted = new TreeSet<>(); // guarded by this
  private final Map<String, List<String>> firstAttemptNodes = new HashMap<>(); // guarded by this
  private final Map<String, String> completedBy = new HashMap<>(); // guarded by this
  /** The workers that took each job node, in order. */
  private final Map<String, List<String>> takers = new HashMap<>(); // guarded by this
  private final Map<String, Integer> finishes = new LinkedHashMap<>(); // guarded by this
  private final Map<String, String> takenAfterCompletion = new LinkedHashMap<>(); // guarded by this
  private final Set<String> taken = new TreeSet<>(); // guarded by this
  private final Set<String> lostClaimCompleted = new TreeSet<>(); // guarded by this
  private final Set<String> completionUnknown = new TreeSet<>(); // guarded by this
  /** What happened to each payload, in order: the trace printed for a violation. */
  private final Map<String, List<String>> trace = new HashMap<>(); // guarded by this
  private int putsFailed; // guarded by this
  private int completionsRefused; // guarded by this
  private int requeues; // guarded by this

  synchronized void putStarted(String payload) {
    attempted.add(payload);
  }

  /** The put returned: the job must finish, once. */
  synchronized void putReturned(String payload) {
    note(payload, "put returned");
    returned.add(payload);
  }

  /** The put threw: the job may or may not exist, but must not exist twice. */
  synchronized void putFailed(String payload) {
    note(payload, "put failed");
    putsFailed++;
  }

  synchronized void taken(String payload, String jobId, int attempts, String worker) {
    taken.add(payload);
    takers.computeIfAbsent(jobId, j -> new ArrayList<>()).add(worker);
    note(payload, worker + " took " + jobId + " (attempt " + attempts + ")");
    if (attempts == 0) {
      List<String> nodes = firstAttemptNodes.computeIfAbsent(payload, p -> new ArrayList<>());
      if (!nodes.contains(jobId)) {
        nodes.add(jobId);
      }
    }
    String completion = completedBy.get(payload);
    if (completion != null) {
      takenAfterCompletion.putIfAbsent(payload, payload + " taken by " + worker + " as " + jobId + " (attempt "
          + attempts + ") after " + completion);
    }
  }

  /** A worker's {@code complete()} returned {@code done}. */
  synchronized void completed(String payload, String jobId, int attempts, String worker, boolean done) {
    note(payload, worker + " complete(" + jobId + ") = " + done);
    if (!done) {
      completionsRefused++;
      return;
    }
    completedBy.putIfAbsent(payload, "complete() by " + worker + " of " + jobId + " (attempt " + attempts + ") returned true");
    // Another worker took this job node after this worker did: this claim had ended by then, so its
    // completion cannot have taken effect, whatever happened to the node afterwards.
    List<String> byNode = takers.getOrDefault(jobId, List.of());
    int mine = byNode.lastIndexOf(worker);
    if (mine >= 0 && byNode.subList(mine + 1, byNode.size()).stream().anyMatch(w -> !w.equals(worker))) {
      lostClaimCompleted.add(payload);
    }
    finish(payload);
  }

  /**
   * A worker's {@code complete()} threw (its client was killed mid-call, say): the completion may
   * have taken effect without anyone learning it. Such a job, gone from the queue at the end, counts
   * as completed, not lost.
   */
  synchronized void completionUnknown(String payload) {
    note(payload, "a complete() threw");
    completionUnknown.add(payload);
  }

  synchronized int completionsUnknown() {
    return completionUnknown.size();
  }

  synchronized void failed(String payload, String jobId, String worker, Object outcome) {
    note(payload, worker + " fail(" + jobId + ") = " + outcome);
  }

  synchronized void requeued() {
    requeues++;
  }

  /** The payload was found in the dead letters at the end. */
  synchronized void deadLettered(String payload) {
    note(payload, "in the dead letters");
    finish(payload);
  }

  private void note(String payload, String event) {
    trace.computeIfAbsent(payload, p -> new ArrayList<>()).add(event);
  }

  /** The recorded events of {@code payload}. */
  synchronized List<String> trace(String payload) {
    return List.copyOf(trace.getOrDefault(payload, List.of()));
  }

  private void finish(String payload) {
    finishes.merge(payload, 1, Integer::sum);
  }

  synchronized int returnedPuts() {
    return returned.size();
  }

  synchronized int putsFailed() {
    return putsFailed;
  }

  synchronized int completionsRefused() {
    return completionsRefused;
  }

  synchronized int requeues() {
    return requeues;
  }

  /**
   * Call once the queue is empty and the dead letters are recorded: a returned put not finished but
   * whose completion's outcome a worker never learned was completed by that call (nothing else
   * removes a job without putting it elsewhere).
   */
  synchronized void settleUnknownCompletions() {
    for (String payload : returned) {
      if (!finishes.containsKey(payload) && completionUnknown.contains(payload)) {
        finishes.put(payload, 1);
      }
    }
  }

  /** Finishes beyond the first of each payload, over every put (returned or not). */
  synchronized int duplicates() {
    return finishes.values().stream().mapToInt(n -> n - 1).sum();
  }

  /** Payloads taken again after a completion of theirs returned true, not explained by a second job. */
  synchronized int completionsThatDidNotTakeEffect() {
    Map<String, List<String>> twoJobs = twoJobsForOnePut();
    Set<String> lies = new TreeSet<>(lostClaimCompleted);
    takenAfterCompletion.keySet().stream().filter(p -> !twoJobs.containsKey(p)).forEach(lies::add);
    return lies.size();
  }

  /** Payloads that two job nodes carried on their first attempt: one put became two jobs. */
  synchronized Map<String, List<String>> twoJobsForOnePut() {
    Map<String, List<String>> result = new LinkedHashMap<>();
    firstAttemptNodes.forEach((payload, nodes) -> {
      if (nodes.size() > 1) {
        result.put(payload, List.copyOf(nodes));
      }
    });
    return result;
  }

  /** The violations found, one line each (empty if the queue kept its promises). */
  synchronized List<String> violations() {
    List<String> violations = new ArrayList<>();
    // Built at the end: a job can be completed before its put returns (the put's reply was lost).
    JobHistory finished = new JobHistory("soak queue");
    returned.forEach(finished::submitted);
    finishes.forEach((payload, n) -> {
      if (returned.contains(payload)) {
        IntStream.range(0, n).forEach(i -> finished.completed(payload));
      }
    });
    try {
      finished.check();
    } catch (AssertionError e) {
      List<String> neverTaken = finished.missing().stream().filter(p -> !taken.contains(p)).toList();
      violations.add("lost: " + e.getMessage().replace('\n', ' ') + "; never taken by a worker: " + neverTaken);
      finished.missing().stream().limit(5).forEach(p -> violations.add("  trace of lost " + p + ": " + trace(p)));
    }
    Map<String, List<String>> twoJobs = twoJobsForOnePut();
    twoJobs.forEach((payload, nodes) -> violations.add("two jobs for one put: " + payload + " first taken as " + nodes
        + ": " + trace(payload)));
    // A payload put twice is taken again after its first job completed; that is the put's fault.
    takenAfterCompletion.forEach((payload, line) -> {
      if (!twoJobs.containsKey(payload)) {
        violations.add("complete() true for a claim that did not complete: " + line + ": " + trace(payload));
      }
    });
    lostClaimCompleted.stream().filter(p -> !takenAfterCompletion.containsKey(p)).forEach(payload ->
        violations.add("complete() true for a claim that did not complete: another worker had claimed the job "
            + "since: " + trace(payload)));
    finishes.forEach((payload, n) -> {
      if (!attempted.contains(payload)) {
        violations.add("ghost: " + payload + " finished but was never put");
      } else if (n > 1 && !twoJobs.containsKey(payload) && !takenAfterCompletion.containsKey(payload)
          && !lostClaimCompleted.contains(payload)) {
        violations.add("duplicate: " + payload + " finished " + n + " times"
            + (returned.contains(payload) ? "" : " (its put threw)") + ": " + trace(payload));
      }
    });
    return violations;
  }
}
