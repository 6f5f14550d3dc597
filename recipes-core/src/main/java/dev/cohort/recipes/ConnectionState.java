package dev.cohort.recipes;

/**
 * The connection state of a {@link Cohort} client, shared by every recipe.
 *
 * <pre>
 *   (start) ─► CONNECTED ──(connection lost)──► SUSPENDED ──(back in time)──► RECONNECTED
 *                                                 │  │  ▲                          │
 *                                                 │  │  └──(connection lost)───────┘
 *                                                 │  └──(service expired the session)──► LOST
 *                                                 └──(session timeout passed, still cut off)──► LOST
 *
 *   LOST ──(new session open)──► RECONNECTED        any state ──(Cohort.close())──► LOST, final
 * </pre>
 *
 * <p>LOST comes from three causes: the service expired the session (learned on reconnecting, or at
 * once if connected), the session was closed under the client, or the client has been cut off
 * (SUSPENDED) for the whole session timeout, measured on its {@link dev.cohort.spi.TimeSource}
 * from the moment it reported SUSPENDED. In the last case the client does not wait to hear of the
 * expiry: it abandons the session (closes it and never uses it again, even if its connection comes
 * back) and opens a new one, so nothing it owned outlives the session timeout after SUSPENDED. See
 * {@link Cohort} for why the timeout is counted from SUSPENDED.
 *
 * <p>What recipes must assume in each state:
 * <ul>
 *   <li>{@link #SUSPENDED}: the session may still be alive, but nothing it owns can be trusted: a
 *       lock or leadership <em>may</em> be lost already.</li>
 *   <li>{@link #LOST}: the session is over; every ephemeral node it owned is gone or going, and so
 *       is every lock, lease and leadership term. The client opens a new session by itself (except
 *       after {@link Cohort#close()}).</li>
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
   * The session expired, was closed (under the client, or by {@link Cohort#close()}, after which
   * this state is final), or was cut off for its whole timeout and abandoned: everything it owned
   * is gone.
   */
  LOST;

  /** Whether operations can reach the service in this state. */
  public boolean isConnected() {
    return this == CONNECTED || this == RECONNECTED;
  }
}
