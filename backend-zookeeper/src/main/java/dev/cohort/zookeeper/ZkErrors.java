package dev.cohort.zookeeper;

import dev.cohort.spi.CoordinationException;
import dev.cohort.spi.ErrorCode;
import org.apache.zookeeper.KeeperException;
import org.apache.zookeeper.KeeperException.Code;

/**
 * Translates ZooKeeper result codes into the SPI's closed set of typed errors, keeping their retry
 * meaning: every code whose request may have reached the ensemble without an answer becomes {@link
 * ErrorCode#CONNECTION_LOSS} (outcome unknown); codes that describe the tree keep their SPI twins;
 * the rest (authorization, quotas, throttling, server faults) become {@link
 * ErrorCode#BACKEND_FAILURE} with the native exception attached, so callers can still inspect it.
 */
final class ZkErrors {

  private ZkErrors() {}

  /**
   * The SPI exception for a failed ZooKeeper call.
   *
   * @param closedByClient whether the session was closed by this client, so that the losses ZooKeeper
   *     reports for requests cut off by the close read as {@code SESSION_CLOSED}
   */
  static CoordinationException toException(int rc, String path, boolean closedByClient) {
    Code code = codeOf(rc);
    KeeperException cause = KeeperException.create(code == null ? Code.SYSTEMERROR : code, path);
    ErrorCode spiCode = toErrorCode(code);
    if (closedByClient
        && (spiCode == ErrorCode.CONNECTION_LOSS || spiCode == ErrorCode.SESSION_EXPIRED)) {
      spiCode = ErrorCode.SESSION_CLOSED;
    }
    String detail = code != null ? cause.getMessage()
        : "error code " + rc + " is unknown to this ZooKeeper client (a server newer than the client?)";
    return CoordinationException.of(spiCode, path, detail, -1, cause);
  }

  /**
   * The SPI exception for an {@code IllegalArgumentException} from ZooKeeper's synchronous API. It
   * throws one for a reply whose error code it does not know (the server answered, and not with
   * success: a backend failure, as the asynchronous path reports that code), and for arguments it
   * refuses before sending, which the session's own guard should have refused first.
   */
  static CoordinationException clientFailure(IllegalArgumentException e, String path) {
    return CoordinationException.of(ErrorCode.BACKEND_FAILURE, path,
        "the ZooKeeper client failed the call: " + e.getMessage()
            + " (an unknown error code comes from a server newer than the client)", -1, e);
  }

  private static Code codeOf(int rc) {
    try {
      return Code.get(rc);
    } catch (IllegalArgumentException unknown) {
      return null; // a code from a newer server than this client knows
    }
  }

  /** The SPI code for a ZooKeeper code; unknown and unexpected codes are backend failures. */
  static ErrorCode toErrorCode(Code code) {
    if (code == null) {
      return ErrorCode.BACKEND_FAILURE;
    }
    switch (code) {
      case NONODE:
        return ErrorCode.NO_NODE;
      case NODEEXISTS:
        return ErrorCode.NODE_EXISTS;
      case BADVERSION:
        return ErrorCode.BAD_VERSION;
      case NOTEMPTY:
        return ErrorCode.NOT_EMPTY;
      case NOCHILDRENFOREPHEMERALS:
        return ErrorCode.NO_CHILDREN_FOR_EPHEMERALS;
      case BADARGUMENTS:
      case INVALIDACL:
        return ErrorCode.BAD_ARGUMENTS;
      case UNIMPLEMENTED:
      case RECONFIGDISABLED:
        return ErrorCode.UNIMPLEMENTED;
      case SESSIONEXPIRED:
        return ErrorCode.SESSION_EXPIRED;
      // The request may have been applied without the reply reaching us: outcome unknown, and the
      // session itself may be fine. SESSIONMOVED means another server now owns the connection.
      case CONNECTIONLOSS:
      case OPERATIONTIMEOUT:
      case REQUESTTIMEOUT:
      case SESSIONMOVED:
        return ErrorCode.CONNECTION_LOSS;
      default:
        return ErrorCode.BACKEND_FAILURE;
    }
  }
}
