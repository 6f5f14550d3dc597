package dev.cohort.replicated;

import dev.cohort.replicated.raft.RaftConfig;

/**
 * The resolved configuration of one cluster (validated by the builder).
 *
 * @param replicas the number of replicas (1, 3, 5 or 7)
 * @param tickNanos the length of one Raft tick
 * @param raft election and batching settings, in ticks
 * @param maxDataBytes the largest data a node may hold
 * @param minSessionTimeoutMillis granted session timeouts are clamped into [min, max]
 * @param maxSessionTimeoutMillis see min
 * @param clientSilenceNanos how long a replica still vouches for a session it has not heard from
 * @param aliveEveryTicks how often replicas tell the leader which sessions are alive
 * @param sweepEveryTicks how often the leader looks for expired containers and TTL nodes
 * @param snapshotEvery compact the log after this many applied entries (0: never)
 * @param homeReplica the replica new sessions attach to first, or 0 to spread them round robin
 */
record Settings(
    int replicas,
    long tickNanos,
    RaftConfig raft,
    int maxDataBytes,
    long minSessionTimeoutMillis,
    long maxSessionTimeoutMillis,
    long clientSilenceNanos,
    int aliveEveryTicks,
    int sweepEveryTicks,
    long snapshotEvery,
    int homeReplica) {}
