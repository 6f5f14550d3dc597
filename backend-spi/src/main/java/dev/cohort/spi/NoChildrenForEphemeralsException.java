package dev.cohort.spi;

/**
 * A create named a parent that is ephemeral; ephemeral nodes have no children. Nothing
 * changed. Retry: never succeeds.
 */
public final class NoChildrenForEphemeralsException extends CoordinationException {

  public NoChildrenForEphemeralsException(String path) {
    this(path, null, -1, null);
  }

  public NoChildrenForEphemeralsException(String path, String detail) {
    this(path, detail, -1, null);
  }

  NoChildrenForEphemeralsException(String path, String detail, int opIndex, Throwable cause) {
    super(ErrorCode.NO_CHILDREN_FOR_EPHEMERALS, path, detail, opIndex, cause);
  }
}
