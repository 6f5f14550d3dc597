package dev.cohort.spi;

/**
 * The session lost its connection while the operation was outstanding, or was suspended when
 * it was issued. <b>The outcome is unknown</b>: a write may or may not have been applied. The
 * session itself may still be alive. Retry: safe for reads, version-checked writes, deletes that
 * accept {@link NoNodeException} as success, and creates that first look for their own node
 * (protected creates); a blind create retry may leak a node.
 */
public final class ConnectionLossException extends CoordinationException {

  public ConnectionLossException(String path) {
    this(path, null, -1, null);
  }

  public ConnectionLossException(String path, String detail) {
    this(path, detail, -1, null);
  }

  ConnectionLossException(String path, String detail, int opIndex, Throwable cause) {
    super(ErrorCode.CONNECTION_LOSS, path, detail, opIndex, cause);
  }
}
