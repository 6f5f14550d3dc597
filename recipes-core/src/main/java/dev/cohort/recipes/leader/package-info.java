/**
 * Leader election: {@link dev.cohort.recipes.leader.LeaderLatch} (hold leadership until you close or
 * lose it) and {@link dev.cohort.recipes.leader.LeaderSelector} (lead while a callback runs). Both
 * are herd-free (each participant watches only its predecessor), give every term a fencing token,
 * and follow an explicit {@link dev.cohort.recipes.leader.SuspendPolicy}: no two participants whose
 * sessions are alive ever report leadership for the same term. Both name their participants (each
 * node carries its participant's id) and offer a cancellable {@code leadershipAsync()} future.
 *
 * <p>{@link dev.cohort.recipes.leader.LeadershipObserver} follows an election from outside it:
 * it joins nothing, keeps one watch (on the leader's node) and reports each new term once.
 */
package dev.cohort.recipes.leader;
