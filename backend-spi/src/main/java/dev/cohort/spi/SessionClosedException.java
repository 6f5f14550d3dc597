package dev.cohort.spi;

/**
 * The session, or the backend that opened it, was closed by this client. Nothing was applied.
 * Retry: only on a new session.
 */
public final class SessionClosedException extends CoordinationException {

  public SessionClosedException(String path) {
    this(path, null, -1, null);
  }

  public SessionClosedException(String path, String detail) {
    this(path, detail, -1, null);
  }

  SessionClosedException(String path, String detail, int opIndex, Throwable cause) {
    super(ErrorCode.SESSION_CLOSED, path, detail, opIndex, cause);
  }
}
