package dev.cohort.spi;

/**
 * The path breaks a rule of {@link Paths} (absolute, no empty, {@code .} or {@code ..} segment,
 * no trailing slash, no illegal character). Nothing changed. Retry: never succeeds.
 */
public final class InvalidPathException extends CoordinationException {

  public InvalidPathException(String path) {
    this(path, null, -1, null);
  }

  public InvalidPathException(String path, String detail) {
    this(path, detail, -1, null);
  }

  InvalidPathException(String path, String detail, int opIndex, Throwable cause) {
    super(ErrorCode.INVALID_PATH, path, detail, opIndex, cause);
  }
}
