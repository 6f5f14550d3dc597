/**
 * The consensus core of the replicated backend: a pure, deterministic Raft state machine ({@link
 * dev.cohort.replicated.raft.RaftNode}) and the values it consumes and produces. Not exported: the
 * drivers in this module are its only users.
 */
package dev.cohort.replicated.raft;
