package dev.cohort.replicated.raft;

/**
 * The part of a node's state that must survive a crash besides the log: without it a restarted
 * node could vote twice in one term.
 *
 * @param term the latest term this node has seen
 * @param votedFor the node it voted for in {@code term}, or {@link RaftNode#NONE}
 * @param commit the highest index known committed (an optimisation: it can be relearned)
 */
public record HardState(long term, int votedFor, long commit) {
  /** The state of a node that has never run. */
  public static final HardState INITIAL = new HardState(0, RaftNode.NONE, 0);
}
