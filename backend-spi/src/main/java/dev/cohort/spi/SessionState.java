package dev.cohort.spi;

/**
 * The lifecycle of a {@link Session}.
 *
 * <pre>
 *   CONNECTED ──(connection lost)──► SUSPENDED ──(reached the service in time)──► RECONNECTED
 *       ▲                                │  ▲                                          │
 *       │                                │  └──────────(connection lost)───────────────┘
 *  (opened)                              └──(service expired the session)──► EXPIRED
 *   any non-terminal state ──(close)──► CLOSED
 * </pre>
 *
 * <p>EXPIRED and CLOSED are terminal: a session in either never changes state again, and every
 * operation on it fails with {@link SessionExpiredException} or {@link SessionClosedException}.
 * Listeners are told of every transition exactly once, in order.
 */
public enum SessionState {
  /** Just opened and connected to the service. */
  CONNECTED,
  /**
   * The connection to the service was lost. The session may still be alive on the service and its
   * ephemeral nodes may still exist; nothing it owns can be trusted until it is RECONNECTED.
   * Operations issued now fail with {@link ConnectionLossException}.
   */
  SUSPENDED,
  /** The connection came back before the session expired: the same session, ephemerals intact. */
  RECONNECTED,
  /** The service expired the session: its ephemeral nodes are gone. Terminal. */
  EXPIRED,
  /** The client closed the session: its ephemeral nodes are gone. Terminal. */
  CLOSED;

  /** Whether the session can talk to the service in this state. */
  public boolean isConnected() {
    return this == CONNECTED || this == RECONNECTED;
  }

  /** Whether this state is final. */
  public boolean isTerminal() {
    return this == EXPIRED || this == CLOSED;
  }
}
