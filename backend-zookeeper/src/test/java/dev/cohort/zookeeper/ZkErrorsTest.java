package dev.cohort.zookeeper;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cohort.spi.CoordinationException;
import dev.cohort.spi.ErrorCode;
import org.apache.zookeeper.KeeperException;
import org.apache.zookeeper.KeeperException.Code;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** The translation of ZooKeeper result codes keeps what each means for a retry. */
class ZkErrorsTest {

  @Test
  void treeErrorsKeepTheirSpiTwins() {
    assertEquals(ErrorCode.NO_NODE, ZkErrors.toErrorCode(Code.NONODE));
    assertEquals(ErrorCode.NODE_EXISTS, ZkErrors.toErrorCode(Code.NODEEXISTS));
    assertEquals(ErrorCode.BAD_VERSION, ZkErrors.toErrorCode(Code.BADVERSION));
    assertEquals(ErrorCode.NOT_EMPTY, ZkErrors.toErrorCode(Code.NOTEMPTY));
    assertEquals(ErrorCode.NO_CHILDREN_FOR_EPHEMERALS, ZkErrors.toErrorCode(Code.NOCHILDRENFOREPHEMERALS));
    assertEquals(ErrorCode.BAD_ARGUMENTS, ZkErrors.toErrorCode(Code.BADARGUMENTS));
    assertEquals(ErrorCode.UNIMPLEMENTED, ZkErrors.toErrorCode(Code.UNIMPLEMENTED));
    assertEquals(ErrorCode.SESSION_EXPIRED, ZkErrors.toErrorCode(Code.SESSIONEXPIRED));
  }

  @ParameterizedTest
  @EnumSource(value = Code.class, names = {"CONNECTIONLOSS", "OPERATIONTIMEOUT", "REQUESTTIMEOUT", "SESSIONMOVED"})
  void answersThatMayHideAnAppliedWriteAreConnectionLoss(Code code) {
    CoordinationException e = ZkErrors.toException(code.intValue(), "/p", false);
    assertEquals(ErrorCode.CONNECTION_LOSS, e.code());
    assertTrue(e.isOutcomeUnknown());
    assertTrue(e.code().mayRetrySameSession());
  }

  @ParameterizedTest
  @EnumSource(value = Code.class, names = {"NOAUTH", "AUTHFAILED", "QUOTAEXCEEDED", "THROTTLEDOP", "SYSTEMERROR", "MARSHALLINGERROR"})
  void failuresOutsideTheSpiSetAreBackendFailuresWithTheNativeCause(Code code) {
    CoordinationException e = ZkErrors.toException(code.intValue(), "/p", false);
    assertEquals(ErrorCode.BACKEND_FAILURE, e.code());
    KeeperException cause = assertInstanceOf(KeeperException.class, e.getCause());
    assertEquals(code, cause.code());
    assertEquals("/p", e.path());
  }

  @Test
  void lossesCausedByOurOwnCloseReadAsSessionClosed() {
    assertEquals(ErrorCode.SESSION_CLOSED, ZkErrors.toException(Code.CONNECTIONLOSS.intValue(), null, true).code());
    assertEquals(ErrorCode.SESSION_CLOSED, ZkErrors.toException(Code.SESSIONEXPIRED.intValue(), null, true).code());
    assertEquals(ErrorCode.NO_NODE, ZkErrors.toException(Code.NONODE.intValue(), "/x", true).code());
  }

  @Test
  void unknownCodesAreBackendFailures() {
    CoordinationException e = ZkErrors.toException(-12345, "/x", false);
    assertEquals(ErrorCode.BACKEND_FAILURE, e.code());
    assertTrue(e.getMessage().contains("-12345"), "the message names the code: " + e.getMessage());
  }
}
