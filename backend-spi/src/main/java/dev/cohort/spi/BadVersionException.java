package dev.cohort.spi;

/**
 * A conditional write or check expected another version of the node. Nothing changed.
 * Retry: re-read the node, decide again, and write with the new version; resending blindly fails again.
 */
public final class BadVersionException extends CoordinationException {

  public BadVersionException(String path) {
    this(path, null, -1, null);
  }

  public BadVersionException(String path, String detail) {
    this(path, detail, -1, null);
  }

  BadVersionException(String path, String detail, int opIndex, Throwable cause) {
    super(ErrorCode.BAD_VERSION, path, detail, opIndex, cause);
  }
}
