package dev.cohort.spi;

/**
 * A delete named a node that has children. Nothing changed. Retry: after its children are gone.
 */
public final class NotEmptyException extends CoordinationException {

  public NotEmptyException(String path) {
    this(path, null, -1, null);
  }

  public NotEmptyException(String path, String detail) {
    this(path, detail, -1, null);
  }

  NotEmptyException(String path, String detail, int opIndex, Throwable cause) {
    super(ErrorCode.NOT_EMPTY, path, detail, opIndex, cause);
  }
}
