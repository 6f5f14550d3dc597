package dev.cohort.spi;

/**
 * A create named a path that already exists. Nothing changed. Never raised by sequential
 * creates. Retry: gives the same answer until the node is deleted; a create retried after a lost
 * reply may see this because its first attempt succeeded (check the node's ephemeral owner).
 */
public final class NodeExistsException extends CoordinationException {

  public NodeExistsException(String path) {
    this(path, null, -1, null);
  }

  public NodeExistsException(String path, String detail) {
    this(path, detail, -1, null);
  }

  NodeExistsException(String path, String detail, int opIndex, Throwable cause) {
    super(ErrorCode.NODE_EXISTS, path, detail, opIndex, cause);
  }
}
