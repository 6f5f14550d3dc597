/**
 * Machinery shared by several recipe packages and not exported by the module: the
 * sequential-queue protocol behind locks, semaphores and leader election
 * ({@link dev.cohort.recipes.internal.SequentialQueue} and its
 * {@link dev.cohort.recipes.internal.Place}s), written once so a fix lands once. Not API: it may
 * change in any release.
 */
package dev.cohort.recipes.internal;
