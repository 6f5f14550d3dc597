package dev.cohort.inmemory;

import dev.cohort.spi.Session;
import java.util.Objects;

/**
 * Fault controls over the sessions of one {@link InMemoryBackend}, acting from the service's side
 * with the semantics of {@code dev.cohort.tck.BackendFixture}. Each control takes effect before it
 * returns; the notifications it causes (state changes, watch events, failed completions) are
 * delivered like every other callback. Controls on a session that already ended are no-ops.
 *
 * <p>Every method throws {@link IllegalArgumentException} for a session another backend opened.
 */
public final class InMemoryFaults {
  private final InMemoryBackend backend;

  InMemoryFaults(InMemoryBackend backend) {
    this.backend = backend;
  }

  /**
   * Cuts the session off: it becomes SUSPENDED; completions not yet delivered and operations issued
   * from now on fail with ConnectionLoss; its watches are held by its client and deliver nothing.
   * The service keeps the session until its timeout passes (then expires it); a no-op unless the
   * session is connected.
   */
  public void disconnect(Session session) {
    backend.disconnect(own(session));
  }

  /**
   * Lets a disconnected session reach the service again: RECONNECTED, with its watches re-armed
   * (a watch whose node changed after the newest zxid the session had seen fires at once), or
   * EXPIRED if the service expired it meanwhile (also when its timeout has passed by now). A no-op
   * unless the session is disconnected.
   */
  public void reconnect(Session session) {
    backend.reconnect(own(session));
  }

  /**
   * Expires the session on the service now: its ephemerals are deleted, firing other sessions'
   * watches. A connected session's client sees EXPIRED at once; a disconnected one on reconnect.
   */
  public void expire(Session session) {
    backend.expire(own(session));
  }

  /**
   * The next operation the session issues is applied, but its reply is lost: its future fails with
   * ConnectionLoss, any other undelivered completion too, and the session goes SUSPENDED then
   * RECONNECTED. A watch that operation would have set is not set.
   */
  public void loseNextReply(Session session) {
    backend.loseNextReply(own(session));
  }

  private InMemorySession own(Session session) {
    Objects.requireNonNull(session, "session");
    if (session instanceof InMemorySession s && s.backend() == backend) {
      return s;
    }
    throw new IllegalArgumentException(session + " was not opened by this backend");
  }
}
