package dev.cohort.spi;

/**
 * The data is larger than the backend's limit (1 MiB by default). Nothing changed. Retry: never
 * succeeds; store large values elsewhere and keep a reference in the node.
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
