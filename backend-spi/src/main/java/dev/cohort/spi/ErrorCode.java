package dev.cohort.spi;

/**
 * The closed set of reasons an operation fails, one per {@link CoordinationException} subclass.
 *
 * <p>Retry meaning, in brief: {@link #CONNECTION_LOSS} is the only code whose outcome is unknown
 * (the write may have been applied); retrying it is safe for reads, for version-checked writes and
 * for deletes that treat NO_NODE as success, but a retried create may meet its own node. Codes that
 * describe the tree's state (NO_NODE, NODE_EXISTS, BAD_VERSION, NOT_EMPTY) mean nothing changed;
 * retrying the same request gives the same answer until the tree changes. Codes that describe the
 * request (INVALID_PATH, DATA_TOO_LARGE, BAD_ARGUMENTS, NO_CHILDREN_FOR_EPHEMERALS, UNIMPLEMENTED)
 * never succeed on retry. SESSION_EXPIRED and SESSION_CLOSED need a new session.
 */
public enum ErrorCode {
  NO_NODE,
  NODE_EXISTS,
  BAD_VERSION,
  NOT_EMPTY,
  NO_CHILDREN_FOR_EPHEMERALS,
  INVALID_PATH,
  DATA_TOO_LARGE,
  BAD_ARGUMENTS,
  CONNECTION_LOSS,
  SESSION_EXPIRED,
  SESSION_CLOSED,
  UNIMPLEMENTED,
  BACKEND_FAILURE;

  /** Whether an operation that failed with this code may nevertheless have been applied. */
  public boolean isOutcomeUnknown() {
    return this == CONNECTION_LOSS || this == BACKEND_FAILURE;
  }

  /** Whether the session is gone (expired or closed): its ephemerals with it, and only a new one can go on. */
  public boolean isSessionGone() {
    return this == SESSION_EXPIRED || this == SESSION_CLOSED;
  }

  /** Whether the failed request could succeed if sent again unchanged on the same session. */
  public boolean mayRetrySameSession() {
    return switch (this) {
      case CONNECTION_LOSS, NO_NODE, NODE_EXISTS, BAD_VERSION, NOT_EMPTY, BACKEND_FAILURE -> true;
      default -> false;
    };
  }
}
