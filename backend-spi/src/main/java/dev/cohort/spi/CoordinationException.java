package dev.cohort.spi;

import java.util.Objects;

/**
 * The base of the closed set of failures an operation can complete with. Each subclass names what
 * happened and says in its documentation whether retrying is safe; {@link #code()} gives the same
 * as an enum for switches.
 *
 * <p>Backends create instances with {@link #of}, so that the subclass always matches the code.
 */
public abstract sealed class CoordinationException extends RuntimeException
    permits NoNodeException,
        NodeExistsException,
        BadVersionException,
        NotEmptyException,
        NoChildrenForEphemeralsException,
        InvalidPathException,
        DataTooLargeException,
        BadArgumentsException,
        ConnectionLossException,
        SessionExpiredException,
        SessionClosedException,
        UnimplementedException,
        BackendFailureException {

  private final ErrorCode code;
  private final String path;
  private final int opIndex;

  CoordinationException(ErrorCode code, String path, String detail, int opIndex, Throwable cause) {
    super(message(code, path, detail, opIndex), cause);
    this.code = Objects.requireNonNull(code, "code");
    this.path = path;
    this.opIndex = opIndex;
  }

  /** Creates the exception of the subclass that matches {@code code}. */
  public static CoordinationException of(ErrorCode code, String path) {
    return of(code, path, null, -1, null);
  }

  /** Creates the exception of the subclass that matches {@code code}, with a detail message. */
  public static CoordinationException of(ErrorCode code, String path, String detail) {
    return of(code, path, detail, -1, null);
  }

  /**
   * Creates the exception of the subclass that matches {@code code}.
   *
   * @param path the path concerned, or null
   * @param detail more explanation, or null
   * @param opIndex the failing op's index within a multi, or -1
   * @param cause the underlying failure (e.g. a native client's exception), or null
   */
  public static CoordinationException of(
      ErrorCode code, String path, String detail, int opIndex, Throwable cause) {
    return switch (code) {
      case NO_NODE -> new NoNodeException(path, detail, opIndex, cause);
      case NODE_EXISTS -> new NodeExistsException(path, detail, opIndex, cause);
      case BAD_VERSION -> new BadVersionException(path, detail, opIndex, cause);
      case NOT_EMPTY -> new NotEmptyException(path, detail, opIndex, cause);
      case NO_CHILDREN_FOR_EPHEMERALS -> new NoChildrenForEphemeralsException(path, detail, opIndex, cause);
      case INVALID_PATH -> new InvalidPathException(path, detail, opIndex, cause);
      case DATA_TOO_LARGE -> new DataTooLargeException(path, detail, opIndex, cause);
      case BAD_ARGUMENTS -> new BadArgumentsException(path, detail, opIndex, cause);
      case CONNECTION_LOSS -> new ConnectionLossException(path, detail, opIndex, cause);
      case SESSION_EXPIRED -> new SessionExpiredException(path, detail, opIndex, cause);
      case SESSION_CLOSED -> new SessionClosedException(path, detail, opIndex, cause);
      case UNIMPLEMENTED -> new UnimplementedException(path, detail, opIndex, cause);
      case BACKEND_FAILURE -> new BackendFailureException(path, detail, opIndex, cause);
    };
  }

  /** The same failure, attributed to op {@code index} of a multi. */
  public CoordinationException atOp(int index) {
    return of(code, path, detailOf(getMessage()), index, getCause());
  }

  /** What happened, as an enum. */
  public ErrorCode code() {
    return code;
  }

  /** The path concerned, or null when the failure concerns no one path. */
  public String path() {
    return path;
  }

  /** Index of the failing op within a multi, or -1 when this did not come from a multi. */
  public int opIndex() {
    return opIndex;
  }

  /** Whether the operation may have been applied despite this failure ({@link ErrorCode#isOutcomeUnknown()}). */
  public boolean isOutcomeUnknown() {
    return code.isOutcomeUnknown();
  }

  /** Whether the session is gone ({@link ErrorCode#isSessionGone()}). */
  public boolean isSessionGone() {
    return code.isSessionGone();
  }

  private static final String DETAIL_SEPARATOR = ": ";

  private static String message(ErrorCode code, String path, String detail, int opIndex) {
    StringBuilder sb = new StringBuilder(code.name());
    if (path != null) {
      sb.append(" for ").append(path);
    }
    if (opIndex >= 0) {
      sb.append(" (multi op ").append(opIndex).append(')');
    }
    if (detail != null && !detail.isEmpty()) {
      sb.append(DETAIL_SEPARATOR).append(detail);
    }
    return sb.toString();
  }

  private static String detailOf(String message) {
    int at = message.indexOf(DETAIL_SEPARATOR);
    return at < 0 ? null : message.substring(at + DETAIL_SEPARATOR.length());
  }
}
