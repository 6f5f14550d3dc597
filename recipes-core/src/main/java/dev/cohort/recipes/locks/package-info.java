/**
 * Locks across processes: {@link dev.cohort.recipes.locks.DistributedLock},
 * {@link dev.cohort.recipes.locks.ReadWriteLock}, {@link dev.cohort.recipes.locks.Semaphore} and
 * {@link dev.cohort.recipes.locks.MultiLock}. Waiters queue as protected ephemeral-sequential nodes
 * and watch one node each (the decisions are the pure functions of {@link
 * dev.cohort.recipes.locks.LockDecisions}); every acquisition carries a fencing token; a waiter that
 * gives up leaves no node behind; release only ever deletes this incarnation's own node.
 *
 * <p>{@code DistributedLock} and {@code Semaphore} also acquire asynchronously ({@code
 * acquireAsync}, completing with a {@link dev.cohort.recipes.locks.LockHold} or a {@link
 * dev.cohort.recipes.locks.Lease}; cancellable), and a {@code DistributedLock} holder that opted in
 * with a {@link dev.cohort.recipes.locks.RevocationListener} can be asked to release.
 */
package dev.cohort.recipes.locks;
