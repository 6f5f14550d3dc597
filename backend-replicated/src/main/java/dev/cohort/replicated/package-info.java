/**
 * The replicated backend: {@link dev.cohort.replicated.ReplicatedBackend} (real time, threads) and
 * {@link dev.cohort.replicated.ReplicatedSimulation} (virtual time, one thread, one seed), with
 * {@link dev.cohort.replicated.ReplicatedFaults} to crash, restart, pause, isolate and partition
 * replicas, to make the links between them lossy, and to move, slow down, cut off or expire
 * sessions.
 *
 * <h2>How it is built</h2>
 * Every replica runs a pure Raft state machine (package {@code dev.cohort.replicated.raft}, not
 * exported) and applies the committed log to its own {@code DataTree} from the in-memory backend.
 * All replicas, the simulated network between them and the service side of every session run on one
 * event loop, so the same code is driven by real time or, deterministically, by a simulation.
 * Sessions, their liveness and their expiry are replicated state: opening, attaching, closing and
 * expiring a session are log entries applied on every replica.
 */
package dev.cohort.replicated;
