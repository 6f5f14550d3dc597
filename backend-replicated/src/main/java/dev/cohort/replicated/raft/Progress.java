package dev.cohort.replicated.raft;

/**
 * The leader's view of one follower. In PROBE the leader sends one append at a time until it finds
 * where the logs agree; in REPLICATE it pipelines up to the in-flight limit, advancing {@code next}
 * optimistically; in SNAPSHOT it waits for the follower to install the snapshot it was sent.
 */
final class Progress {
  enum State { PROBE, REPLICATE, SNAPSHOT }

  long match;
  long next;
  State state = State.PROBE;
  int inflight;
  boolean probeSent;
  boolean recentActive;
  long pendingSnapshot;
  long matchAtLastHeartbeat = -1;

  Progress(long next) {
    this.next = next;
  }

  void becomeProbe() {
    state = State.PROBE;
    next = Math.max(next, match + 1);
    inflight = 0;
    probeSent = false;
  }

  void becomeReplicate() {
    state = State.REPLICATE;
    next = match + 1;
    inflight = 0;
    probeSent = false;
  }

  @Override
  public String toString() {
    return state + "[match=" + match + ", next=" + next + ", inflight=" + inflight + "]";
  }
}
