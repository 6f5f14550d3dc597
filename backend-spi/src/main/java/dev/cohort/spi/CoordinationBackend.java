package dev.cohort.spi;

import java.util.Set;
import java.util.concurrent.CompletableFuture;

/**
 * A coordination service: a tree of znodes shared by the sessions it opens.
 *
 * <p>A backend is thread-safe. Closing it closes every session it opened (their ephemeral nodes are
 * removed when the backend owns the data, as the in-memory backends do; a client of a remote service
 * such as ZooKeeper only closes its own sessions). After {@link #close()}, {@link #openSession}
 * fails with {@link SessionClosedException}.
 *
 * <h2>Implementation notes</h2>
 * A backend declares its optional features in {@link #capabilities()}; an operation that needs a
 * capability the backend lacks fails with {@link UnimplementedException} (a behaviour capability,
 * such as {@link Capability#MULTI_EVENTS_PER_OP}, refuses nothing: it names a stronger guarantee). Every backend must pass
 * the conformance suite in {@code dev.cohort.tck} for the capabilities it declares.
 */
public interface CoordinationBackend extends AutoCloseable {

  /**
   * Opens a new session. The future completes once the session is established and in state
   * {@link SessionState#CONNECTED}, or fails with {@link ConnectionLossException} if the service
   * cannot be reached in time, or with {@link SessionClosedException} if this backend is closed.
   */
  CompletableFuture<Session> openSession(SessionConfig config);

  /**
   * The default limit on a node's data, and on the data of all the ops of one {@link
   * Session#multi multi} together: 1,000,000 bytes, on every backend. Backends may let users
   * configure another.
   *
   * <p>Why this figure: a ZooKeeper server and client with default settings refuse any packet over
   * {@code jute.maxbuffer} = 1,048,575 bytes, the request header, path and (in a multi) every op's
   * header included, and a larger packet costs the connection rather than failing the request.
   * Measured on a real 3.9.3 server ({@code ZooKeeperDataLimitTest}): the largest node that can be
   * written with setData is 1,048,553 bytes, with a 201-character path 1,048,327 bytes, and the
   * largest that can be read back with getData is 1,048,487 bytes (the reply carries the stat).
   * 1,000,000 bytes leaves 48 KiB for paths and multi overhead below the tightest of those.
   */
  int DEFAULT_MAX_DATA_BYTES = 1_000_000;

  /** Opens a session with {@link SessionConfig#defaults()}. */
  default CompletableFuture<Session> openSession() {
    return openSession(SessionConfig.defaults());
  }

  /** The optional features this backend supports. Never changes during the backend's life. */
  Set<Capability> capabilities();

  /** Whether this backend supports {@code capability}. */
  default boolean has(Capability capability) {
    return capabilities().contains(capability);
  }

  /**
   * How long a client of this backend may hold a write back to send it with its next write in one
   * transaction, by default (a client may set its own). A cost hint, no guarantee: worth a few tens
   * of microseconds where the service syncs each transaction to disk before it replies, so that two
   * writes in one transaction cost about one; zero (the default) where a write costs no more than
   * a round trip in memory.
   */
  default java.time.Duration writeJoinWindow() {
    return java.time.Duration.ZERO;
  }

  /** A short human-readable name for logs and reports, such as {@code "in-memory"}. */
  String name();

  /** Closes every session this backend opened and releases its resources. Idempotent. */
  @Override
  void close();
}
