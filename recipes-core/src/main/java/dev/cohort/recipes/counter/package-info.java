/**
 * Shared numbers: {@link dev.cohort.recipes.counter.SharedCounter} (an int count with versioned
 * compare-and-set and a change listener, cached so reads never block) and
 * {@link dev.cohort.recipes.counter.DistributedAtomicLong} (a long changed only by optimistic
 * compare-and-set, with a bounded number of attempts; a result says whether it took effect). Both
 * lose no update: a write applies only if the value still has the version it was read at.
 */
package dev.cohort.recipes.counter;
