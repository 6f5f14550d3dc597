/**
 * The in-memory backend: {@link dev.cohort.inmemory.InMemoryBackend}, its virtual clock {@link
 * dev.cohort.inmemory.ManualTimeSource} and its fault controls {@link
 * dev.cohort.inmemory.InMemoryFaults}. Everything else is package-private; the tree state machine in
 * {@code dev.cohort.inmemory.tree} is exported only to the replicated backend.
 */
package dev.cohort.inmemory;
