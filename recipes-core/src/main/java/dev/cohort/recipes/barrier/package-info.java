/**
 * Barriers: {@link dev.cohort.recipes.barrier.Barrier} holds processes until someone removes it
 * (up while its node exists), and {@link dev.cohort.recipes.barrier.DoubleBarrier} lets a fixed
 * number of members start a computation together and finish it together, and {@link
 * dev.cohort.recipes.barrier.CountDownLatch} opens for good once it has been counted down to zero.
 * Waiters create no node for a plain barrier or a latch and remove their watches when they give up;
 * every wait takes a timeout or is interruptible.
 */
package dev.cohort.recipes.barrier;
