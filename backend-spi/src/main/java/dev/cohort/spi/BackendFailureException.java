package dev.cohort.spi;

/**
 * The service failed in a way outside the rest of this closed set (for example an
 * authorization failure or an internal error of a remote service); the native cause is attached.
 * The outcome may be unknown. Retry: depends on the cause; treat like a lost connection.
 */
public final class BackendFailureException extends CoordinationException {

  public BackendFailureException(String path) {
    this(path, null, -1, null);
  }

  public BackendFailureException(String path, String detail) {
    this(path, detail, -1, null);
  }

  BackendFailureException(String path, String detail, int opIndex, Throwable cause) {
    super(ErrorCode.BACKEND_FAILURE, path, detail, opIndex, cause);
  }
}
