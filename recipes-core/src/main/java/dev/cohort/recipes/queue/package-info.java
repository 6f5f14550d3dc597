/**
 * A distributed work queue with at-least-once processing:
 * {@link dev.cohort.recipes.queue.WorkQueue}. A {@code put} that returns has added exactly one
 * job, also after lost replies; a worker claims a {@link dev.cohort.recipes.queue.Job} with an
 * ephemeral claim, so a job whose worker dies is claimed again; a job is removed only by a
 * completion that still holds its claim; failed jobs are retried and then dead-lettered. Jobs, not a
 * data stream: the queue bounds pending jobs and job size.
 */
package dev.cohort.recipes.queue;
