package dev.cohort.recipes.internal;

import dev.cohort.recipes.Cohort;
import dev.cohort.recipes.OwnedNode;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Which of a queue's releases this client holds back to join its next acquire (see {@link
 * SequentialQueue#joinReleases()}). A release is held back only when the previous release here was
 * followed by an acquire within the client's write-join window: a client that releases and acquires
 * again at once gets one transaction per cycle, and one that releases and moves on pays no window
 * (after its first release, which goes at once). Guesses only about cost, never about safety.
 * Only for a client whose window is not zero.
 */
final class ReleaseJoiner {

  private final Cohort client;
  /** The release held back now, for the next acquire to carry; null if none. */
  private final AtomicReference<OwnedNode> held = new AtomicReference<>();
  /** When this client last released here, on the client's clock; valid once {@link #released}. */
  private volatile long releasedAt;
  private volatile boolean released;
  private volatile boolean holdNext;

  ReleaseJoiner(Cohort client) {
    this.client = client;
  }

  /** Whether a release now should be held back. */
  boolean holdsNext() {
    return holdNext;
  }

  /** {@code node}'s release was held back: the next acquire may carry it. */
  void heldBack(OwnedNode node) {
    held.set(node);
    stamp();
  }

  /** A release went at once. */
  void sentAtOnce() {
    held.set(null);
    stamp();
  }

  private void stamp() {
    releasedAt = client.timeSource().nanoTime();
    released = true;
  }

  /**
   * An acquire begins here: learns whether releases here are followed promptly, and takes the
   * release held back for it to carry (null if none; it may have gone alone since).
   */
  OwnedNode acquiring() {
    if (released) {
      holdNext = client.timeSource().nanoTime() - releasedAt <= client.writeJoinWindow().toNanos();
    }
    return held.getAndSet(null);
  }
}
