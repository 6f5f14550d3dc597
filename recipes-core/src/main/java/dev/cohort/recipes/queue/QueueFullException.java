package dev.cohort.recipes.queue;

/**
 * A {@link WorkQueue#put} was refused because the queue already holds its maximum number of
 * pending jobs, or of delayed jobs due in the job's window (see {@link WorkQueue#put(byte[], PutOptions)}). Nothing was added. Retry after workers have drained some jobs.
 */
public final class QueueFullException extends IllegalStateException {
  private static final long serialVersionUID = 1L;

  QueueFullException(String queue, int pending, int limit) {
    super("queue " + queue + " holds " + pending + " pending jobs, its limit is " + limit);
  }

  QueueFullException(String message) {
    super(message);
  }
}
