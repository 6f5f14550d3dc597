/**
 * The deterministic znode state machine shared by the in-memory and replicated backends: {@link
 * dev.cohort.inmemory.tree.DataTree} applies {@link dev.cohort.inmemory.tree.Txn}s and reports
 * {@link dev.cohort.inmemory.tree.Outcome}s and {@link dev.cohort.inmemory.tree.Change}s; {@link
 * dev.cohort.inmemory.tree.WatchRegistry} maps changes to the watchers they fire. No threads, clocks
 * or locks: callers serialize access and supply time in each transaction.
 */
package dev.cohort.inmemory.tree;
