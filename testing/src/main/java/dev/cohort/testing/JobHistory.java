package dev.cohort.testing;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * Records jobs submitted to a queue and their completions, and checks at-least-once delivery:
 * every submitted job completed at least once, and nothing completed that was never submitted.
 * Duplicates (a job completed more than once, which at-least-once allows) are counted, not failed.
 *
 * <pre>{@code
 * JobHistory history = new JobHistory("queue /thumbnails");
 * history.submitted("img-1");  queue.put("img-1".getBytes(UTF_8));
 * // in each worker:
 * Job job = queue.take(timeout).orElseThrow();
 * if (queue.complete(job)) history.completed(new String(job.payload(), UTF_8));
 * // at the end:
 * history.check();             // every submitted job completed at least once
 * int redone = history.duplicates();
 * }</pre>
 *
 * <p>Thread-safe.
 */
public final class JobHistory {

  private final String name;
  private final Set<String> submitted = new LinkedHashSet<>(); // guarded by this
  private final Map<String, Integer> completions = new HashMap<>(); // guarded by this

  /** A history named {@code name} in failure messages (e.g. "queue /thumbnails"). */
  public JobHistory(String name) {
    this.name = Objects.requireNonNull(name, "name");
  }

  /** Job {@code jobId} was put on the queue; call after the put returned. */
  public synchronized void submitted(String jobId) {
    submitted.add(Objects.requireNonNull(jobId, "jobId"));
  }

  /** Job {@code jobId} was completed (its completion was accepted); may be called again for a duplicate. */
  public synchronized void completed(String jobId) {
    completions.merge(Objects.requireNonNull(jobId, "jobId"), 1, Integer::sum);
  }

  /** Jobs completed at least once. */
  public synchronized int completedJobs() {
    return (int) submitted.stream().filter(completions::containsKey).count();
  }

  /** Completions beyond the first of each job. */
  public synchronized int duplicates() {
    return completions.values().stream().mapToInt(n -> n - 1).sum();
  }

  /** Submitted jobs not yet completed, in submission order. */
  public synchronized List<String> missing() {
    return submitted.stream().filter(id -> !completions.containsKey(id)).toList();
  }

  /**
   * Checks that every submitted job completed and nothing else did.
   *
   * @throws HistoryViolation naming the lost and the unknown jobs
   */
  public synchronized void check() {
    List<String> violations = new ArrayList<>();
    List<String> lost = missing();
    if (!lost.isEmpty()) {
      violations.add(lost.size() + " of " + submitted.size() + " jobs never completed: "
          + lost.subList(0, Math.min(10, lost.size())) + (lost.size() > 10 ? " ..." : ""));
    }
    completions.keySet().stream()
        .filter(id -> !submitted.contains(id))
        .sorted()
        .forEach(id -> violations.add("job " + id + " completed but was never submitted"));
    if (!violations.isEmpty()) {
      throw new HistoryViolation(name, violations);
    }
  }
}
