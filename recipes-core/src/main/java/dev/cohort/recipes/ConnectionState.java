package dev.cohort.recipes;

/**
 * The connection state of a {@link Cohort} client, shared by every recipe.
 *
 * <pre>
 *   (start) ─► CONNECTED ──(connection lost)──► SUSPENDED ──(back in time)──► RECONNECTED
 *                                                   │   ▲                          │
 *                                                   │   └──(connection lost)───────┘
 *                                                   └──(session expired)──► LOST ──(new session open)──► RECONNECTED
 * </pre>
 *
 * <p>What recipes must assume in each state:
 * <ul>
 *   <li>{@link #SUSPENDED}: the session may still be alive, but nothing it owns can be trusted: a
 *       lock or leadership <em>may</em> be lost already.</li>
 *   <li>{@link #LOST}: the session expired; every ephemeral node it owned is gone, and so is every
 *       lock, lease and leadership term. The client opens a new session by itself.</li>
 *   <li>{@link #RECONNECTED}: the client can talk to the service again, on the same session (after a
 *       SUSPENDED) or on a new one (after a LOST). Recipes re-check that what they owned is still
 *       there and owned by the current session before they claim it again.</li>
 * </ul>
 */
public enum ConnectionState {
  /** The first session is open and connected. */
  CONNECTED,
  /** The connection was lost; the session may still be alive. */
  SUSPENDED,
  /** Connected again, on the same session or on a new one after {@link #LOST}. */
  RECONNECTED,
  /**
   * The session expired, or was closed (under the client, or by {@link Cohort#close()}, after which
   * this state is final): everything it owned is gone.
   */
  LOST;

  /** Whether operations can reach the service in this state. */
  public boolean isConnected() {
    return this == CONNECTED || this == RECONNECTED;
  }
}
