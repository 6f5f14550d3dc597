package dev.cohort.spi;

/**
 * The node, or for a create its parent, does not exist. Nothing changed.
 * Retry: gives the same answer until someone creates the node; a delete retried after a lost reply
 * may see this because its first attempt succeeded.
 */
public final class NoNodeException extends CoordinationException {

  public NoNodeException(String path) {
    this(path, null, -1, null);
  }

  public NoNodeException(String path, String detail) {
    this(path, detail, -1, null);
  }

  NoNodeException(String path, String detail, int opIndex, Throwable cause) {
    super(ErrorCode.NO_NODE, path, detail, opIndex, cause);
  }
}
