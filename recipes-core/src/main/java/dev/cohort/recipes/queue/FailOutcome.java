package dev.cohort.recipes.queue;

/** What {@link WorkQueue#fail} did with a job. */
public enum FailOutcome {
  /** The job went back to the queue, with its attempt count raised by one. */
  REQUEUED,
  /** The job reached the maximum number of attempts and moved to the dead-letter path. */
  DEAD_LETTERED,
  /** The claim was no longer this worker's (its session ended, or another worker took the job): nothing changed. */
  CLAIM_LOST
}
