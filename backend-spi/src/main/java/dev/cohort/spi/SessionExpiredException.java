package dev.cohort.spi;

/**
 * The service expired the session: its ephemeral nodes and watches are gone. Nothing this
 * operation asked for was applied. Retry: only on a new session, after re-establishing what the old
 * session owned.
 */
public final class SessionExpiredException extends CoordinationException {

  public SessionExpiredException(String path) {
    this(path, null, -1, null);
  }

  public SessionExpiredException(String path, String detail) {
    this(path, detail, -1, null);
  }

  SessionExpiredException(String path, String detail, int opIndex, Throwable cause) {
    super(ErrorCode.SESSION_EXPIRED, path, detail, opIndex, cause);
  }
}
