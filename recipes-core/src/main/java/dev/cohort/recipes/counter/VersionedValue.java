package dev.cohort.recipes.counter;

/**
 * A counter value with the node version it was read at: pass it back to {@link
 * SharedCounter#trySetCount} to write only if nobody wrote in between.
 *
 * @param value the count
 * @param version the counter node's data version when {@code value} was read
 */
public record VersionedValue(long value, int version) {}
