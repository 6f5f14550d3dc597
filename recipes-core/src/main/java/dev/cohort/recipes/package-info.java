/**
 * The Cohort client and what every recipe shares.
 *
 * <ul>
 *   <li>{@link dev.cohort.recipes.Cohort}: one session at a time on any {@link
 *       dev.cohort.spi.CoordinationBackend}, a namespace, retries of lost connections
 *       ({@link dev.cohort.recipes.RetryPolicy}, {@link dev.cohort.recipes.ExponentialBackoff}, on an
 *       injected clock and {@link dev.cohort.recipes.DelayScheduler}), and the operations in
 *       {@link dev.cohort.recipes.AsyncOps asynchronous} and {@link dev.cohort.recipes.BlockingOps
 *       blocking} form.</li>
 *   <li>One {@link dev.cohort.recipes.ConnectionState} model: CONNECTED, SUSPENDED, RECONNECTED,
 *       LOST; after LOST the client opens a new session by itself and recipes re-establish what they
 *       owned.</li>
 *   <li>Ownership: protected creates give an {@link dev.cohort.recipes.OwnedNode} that only this
 *       incarnation can delete; every owning recipe hands out a {@link dev.cohort.recipes.FencingToken}
 *       that a {@link dev.cohort.recipes.FencedResource} checks, and reports changes through
 *       {@link dev.cohort.recipes.OwnershipListener}.</li>
 * </ul>
 *
 * <p>Listeners and callbacks always run on the client's listener executor: never on a backend
 * thread and never while a recipe holds an internal lock.
 */
package dev.cohort.recipes;
