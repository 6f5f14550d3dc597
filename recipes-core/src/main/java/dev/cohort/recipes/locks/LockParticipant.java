package dev.cohort.recipes.locks;

import java.util.Objects;

/**
 * One participant of a {@link DistributedLock} as listed by {@link DistributedLock#participants()}:
 * a holder or a waiter, by its node.
 *
 * @param nodeName the name of its node under the lock's path (what {@link
 *     DistributedLock#requestRevocation} takes)
 * @param sequence the node's sequence number: its place in line
 * @param holder whether it holds the lock (the first in line)
 * @param revocable whether it opted in to revocation requests (its lock had a {@link
 *     RevocationListener} when it queued)
 */
public record LockParticipant(String nodeName, long sequence, boolean holder, boolean revocable) {

  /** Checks the name. */
  public LockParticipant {
    Objects.requireNonNull(nodeName, "nodeName");
  }
}
