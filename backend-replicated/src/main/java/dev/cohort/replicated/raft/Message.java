package dev.cohort.replicated.raft;

import java.util.List;

/**
 * The messages replicas exchange. Every message carries its sender's term; the network may delay,
 * drop, duplicate and reorder them, and {@link RaftNode#step} stays safe under all of that.
 */
public sealed interface Message {
  int from();

  int to();

  long term();

  /** A candidate asks for a vote; with {@code preVote} it only asks whether it would win. */
  record RequestVote(int from, int to, long term, long lastIndex, long lastTerm, boolean preVote)
      implements Message {}

  /** The answer to a (pre-)vote request; {@code term} is the requested term when granted. */
  record VoteResponse(int from, int to, long term, boolean granted, boolean preVote) implements Message {}

  /**
   * Entries following {@code (prevIndex, prevTerm)}, plus the leader's commit index. An empty list
   * is a heartbeat that also probes the follower's log.
   */
  record Append(int from, int to, long term, long prevIndex, long prevTerm, List<Entry> entries, long commit)
      implements Message {
    public Append {
      entries = List.copyOf(entries);
    }
  }

  /**
   * The answer to an append or snapshot. On success, {@code index} is the highest index the follower
   * now holds in agreement with the leader. On rejection, {@code index} is the prevIndex that did not
   * match and {@code hint} the follower's last index, so the leader can back off in one step.
   */
  record AppendResponse(int from, int to, long term, boolean success, long index, long hint)
      implements Message {}

  /** The leader's latest snapshot for a follower whose next entry it no longer has. */
  record InstallSnapshot(int from, int to, long term, Snapshot snapshot) implements Message {}
}
