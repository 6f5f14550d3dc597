package dev.cohort.tck;

/** The fault controls a {@link BackendFixture} may offer; tests that need one skip without it. */
public enum FaultControl {
  /** {@link BackendFixture#disconnect} and {@link BackendFixture#reconnect}. */
  DISCONNECT,
  /** {@link BackendFixture#expire}. */
  EXPIRE,
  /** {@link BackendFixture#loseNextReply}. */
  LOSE_REPLY,
  /** {@link BackendFixture#advanceTime}: session timeouts run on virtual time. */
  VIRTUAL_TIME
}
