package dev.cohort.replicated.raft;

import java.util.List;

/**
 * Everything a {@link RaftNode} asks of its driver since the previous {@code ready()}.
 *
 * <p>The driver must handle it in this order, which is what makes the protocol safe across
 * crashes: (1) persist {@link #hardState()} (if not null), {@link #snapshot()} (if not null) and
 * {@link #entries()} (which replace any stored entries at or after the first one's index); (2)
 * only then send {@link #messages()}; (3) then install the snapshot into the state machine and
 * apply {@link #committed()} in order.
 *
 * @param hardState the new hard state, or null if unchanged
 * @param snapshot a snapshot received from the leader to persist and install, or null
 * @param entries entries to persist, in index order, possibly overwriting a stored suffix
 * @param messages messages to send
 * @param committed newly committed entries to apply, in index order
 */
public record Ready(
    HardState hardState, Snapshot snapshot, List<Entry> entries, List<Message> messages, List<Entry> committed) {

  /** Whether there is nothing to do. */
  public boolean isEmpty() {
    return hardState == null && snapshot == null && entries.isEmpty() && messages.isEmpty() && committed.isEmpty();
  }
}
