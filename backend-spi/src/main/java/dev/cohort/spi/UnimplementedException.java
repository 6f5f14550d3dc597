package dev.cohort.spi;

/**
 * The backend lacks the {@link Capability} the operation needs. Nothing changed. Retry: never
 * succeeds on this backend.
 */
public final class UnimplementedException extends CoordinationException {

  public UnimplementedException(String path) {
    this(path, null, -1, null);
  }

  public UnimplementedException(String path, String detail) {
    this(path, detail, -1, null);
  }

  UnimplementedException(String path, String detail, int opIndex, Throwable cause) {
    super(ErrorCode.UNIMPLEMENTED, path, detail, opIndex, cause);
  }
}
