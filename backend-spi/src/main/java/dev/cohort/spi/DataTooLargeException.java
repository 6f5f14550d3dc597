package dev.cohort.spi;

/**
 * The data is larger than the backend's limit ({@link CoordinationBackend#DEFAULT_MAX_DATA_BYTES}
 * by default), for one node or for all the ops of a multi together, or the request would not fit
 * in one packet of the service. Nothing changed and the session carries on. Retry: never succeeds;
 * store large values elsewhere and keep a reference in the node.
 */
public final class DataTooLargeException extends CoordinationException {

  public DataTooLargeException(String path) {
    this(path, null, -1, null);
  }

  public DataTooLargeException(String path, String detail) {
    this(path, detail, -1, null);
  }

  DataTooLargeException(String path, String detail, int opIndex, Throwable cause) {
    super(ErrorCode.DATA_TOO_LARGE, path, detail, opIndex, cause);
  }
}
