/**
 * Partition ownership: each {@link dev.cohort.recipes.partition.PartitionClaimer} claims a
 * balanced, sticky share of a fixed set of partitions and hands partitions over cooperatively as
 * members come and go (a member is told {@code revoked} before another member is given the
 * partition). The target share is a pure function,
 * {@link dev.cohort.recipes.partition.PartitionAssignment}, so every member with the same snapshot
 * computes the same one; every claim carries a fencing token. Members may be weighted and capped,
 * and a static member keeps its partitions through a restart within its grace period.
 */
package dev.cohort.recipes.partition;
