package dev.cohort.replicated.raft;

/**
 * Tuning of a {@link RaftNode}, in ticks (the driver decides how long a tick is).
 *
 * @param electionTicks a follower that hears no leader for a random time in {@code (electionTicks,
 *     2 * electionTicks]} starts an election; a leader that has not heard from a majority for this
 *     long steps down
 * @param heartbeatTicks how often a leader sends heartbeats; must be below {@code electionTicks}
 * @param maxEntriesPerMessage the batch size of one append message
 * @param maxInflightMessages how many appends a leader pipelines to one follower before waiting
 */
public record RaftConfig(int electionTicks, int heartbeatTicks, int maxEntriesPerMessage, int maxInflightMessages) {

  /** Ten ticks to an election, a heartbeat every tick, batches of 512, 64 in flight. */
  public static final RaftConfig DEFAULT = new RaftConfig(10, 1, 512, 64);

  public RaftConfig {
    if (heartbeatTicks < 1 || electionTicks <= heartbeatTicks) {
      throw new IllegalArgumentException(
          "need 1 <= heartbeatTicks < electionTicks, got " + heartbeatTicks + " and " + electionTicks);
    }
    if (maxEntriesPerMessage < 1 || maxInflightMessages < 1) {
      throw new IllegalArgumentException("batch size and in-flight limit must be positive");
    }
  }
}
