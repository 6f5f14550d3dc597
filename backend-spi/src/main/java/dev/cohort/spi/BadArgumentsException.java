package dev.cohort.spi;

/**
 * The request is malformed: a multi mixing reads and writes or empty, a TTL create without a
 * positive TTL, a delete of the root or of the reserved {@code /zookeeper} subtree, and the like.
 * Nothing changed. Retry: never succeeds.
 */
public final class BadArgumentsException extends CoordinationException {

  public BadArgumentsException(String path) {
    this(path, null, -1, null);
  }

  public BadArgumentsException(String path, String detail) {
    this(path, detail, -1, null);
  }

  BadArgumentsException(String path, String detail, int opIndex, Throwable cause) {
    super(ErrorCode.BAD_ARGUMENTS, path, detail, opIndex, cause);
  }
}
