/**
 * A rendezvous between a master and its workers, which may start in any order:
 * {@link dev.cohort.recipes.rendezvous.Rendezvous}. The master publishes data (an address, a
 * configuration) and republishes it on change; workers await it with a timeout and are told of
 * every later change.
 */
package dev.cohort.recipes.rendezvous;
