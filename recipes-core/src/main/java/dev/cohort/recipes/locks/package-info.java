/**
 * Locks across processes: {@link dev.cohort.recipes.locks.DistributedLock},
 * {@link dev.cohort.recipes.locks.ReadWriteLock}, {@link dev.cohort.recipes.locks.Semaphore} and
 * {@link dev.cohort.recipes.locks.MultiLock}. Waiters queue as protected ephemeral-sequential nodes
 * and watch one node each (the decisions are the pure functions of {@link
 * dev.cohort.recipes.locks.LockDecisions}); every acquisition carries a fencing token; a waiter that
 * gives up leaves no node behind; release only ever deletes this incarnation's own node.
 */
package dev.cohort.recipes.locks;
