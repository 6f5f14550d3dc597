package dev.cohort.recipes.leader;

/** Whether closing a {@link LeaderLatch} tells its own listeners that leadership ended. */
public enum CloseMode {
  /** Close without calling {@link LeaderLatchListener#notLeader}. */
  SILENT,
  /** If the latch led, call {@link LeaderLatchListener#notLeader} once more on close. */
  NOTIFY_LEADER
}
