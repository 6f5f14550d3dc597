package dev.cohort.recipes.counter;

/**
 * The outcome of a {@link DistributedAtomicLong} operation.
 *
 * @param succeeded whether the change was applied
 * @param preValue the value the operation saw last before it changed it (or, failing, the value that
 *     made it fail)
 * @param postValue the value after the change when it succeeded; equal to {@code preValue} when not
 */
public record AtomicResult(boolean succeeded, long preValue, long postValue) {}
