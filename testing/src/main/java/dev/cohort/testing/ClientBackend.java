package dev.cohort.testing;

import dev.cohort.spi.Capability;
import dev.cohort.spi.ConnectionLossException;
import dev.cohort.spi.CoordinationBackend;
import dev.cohort.spi.Session;
import dev.cohort.spi.SessionConfig;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;

/**
 * The backend as one fixture client sees it: the fixture's backend, until the test {@linkplain
 * CohortFixture#crash crashes} the client. Then it cuts off every session it opened (with the
 * engine's disconnect, so that the service keeps each until its timeout passes, as after a process
 * dies) and refuses to open another one, so the client, which opens a new session by itself after
 * an expiry, stays without one: a dead process opens nothing.
 *
 * <p>Sessions are handed out as the backend made them (not wrapped), so every fault control and
 * every cast to a backend's own session type keeps working on them.
 *
 * <p>Thread-safe. A session whose opening completes after the crash is cut off as well, and its
 * opener is told ConnectionLoss: {@link #crashed} is set before the sessions are walked, and a new
 * session is recorded before {@link #crashed} is read, so one of the two sides always sees the other.
 */
final class ClientBackend implements CoordinationBackend {
  private final CoordinationBackend delegate;
  private final Consumer<Session> cutOff;
  /** Every session opened through this view; ended ones are dropped when the client crashes. */
  private final Set<Session> sessions = ConcurrentHashMap.newKeySet();
  private volatile boolean crashed;

  ClientBackend(CoordinationBackend delegate, Consumer<Session> cutOff) {
    this.delegate = Objects.requireNonNull(delegate, "delegate");
    this.cutOff = Objects.requireNonNull(cutOff, "cutOff");
  }

  @Override
  public CompletableFuture<Session> openSession(SessionConfig config) {
    Objects.requireNonNull(config, "config");
    if (crashed) {
      return CompletableFuture.failedFuture(refusal());
    }
    sessions.removeIf(s -> s.state().isTerminal());
    return delegate.openSession(config).thenApply(s -> {
      sessions.add(s);
      if (crashed) {
        cutOff.accept(s);
        throw new CompletionException(refusal());
      }
      return s;
    });
  }

  /**
   * Crashes the client: cuts off its live sessions and refuses new ones.
   *
   * @return false, doing nothing, if it was crashed already
   */
  boolean crash() {
    synchronized (this) {
      if (crashed) {
        return false;
      }
      crashed = true;
    }
    for (Session s : List.copyOf(sessions)) {
      if (s.state().isTerminal()) {
        sessions.remove(s);
      } else {
        cutOff.accept(s);
      }
    }
    return true;
  }

  boolean isCrashed() {
    return crashed;
  }

  /** Whether {@code session} was opened through this view. */
  boolean opened(Session session) {
    return sessions.contains(session);
  }

  /** The sessions this view opened that have not ended. */
  List<Session> liveSessions() {
    return sessions.stream().filter(s -> !s.state().isTerminal()).toList();
  }

  private static ConnectionLossException refusal() {
    return new ConnectionLossException(null,
        "this client has crashed (CohortFixture.crash): it opens no session; CohortFixture.restart gives a new client");
  }

  @Override
  public Set<Capability> capabilities() {
    return delegate.capabilities();
  }

  @Override
  public String name() {
    return delegate.name();
  }

  /** The backend this view opens sessions on (the fixture's, or on ZooKeeper its proxied twin). */
  CoordinationBackend delegate() {
    return delegate;
  }

  /** Does nothing: the fixture owns the backend and closes it; a client never closes its backend. */
  @Override
  public void close() {}

  @Override
  public String toString() {
    return delegate.name() + (crashed ? " (crashed client)" : "");
  }
}
