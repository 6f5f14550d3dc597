package dev.cohort.spi;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class CoordinationExceptionTest {

  @ParameterizedTest
  @EnumSource(ErrorCode.class)
  void everyCodeHasItsOwnSubclassAndKeepsPathAndOpIndex(ErrorCode code) {
    Throwable cause = new IllegalStateException("native");
    CoordinationException e = CoordinationException.of(code, "/a", "why", 3, cause);
    assertEquals(code, e.code());
    assertEquals("/a", e.path());
    assertEquals(3, e.opIndex());
    assertSame(cause, e.getCause());
    assertTrue(e.getMessage().contains(code.name()) && e.getMessage().contains("/a") && e.getMessage().contains("why"));
    assertEquals(code.name(), camelToCode(e.getClass().getSimpleName()));
  }

  @Test
  void atOpAttributesTheSameFailureToAMultiOp() {
    CoordinationException e = new BadVersionException("/x", "expected 3").atOp(2);
    assertTrue(e instanceof BadVersionException);
    assertEquals(2, e.opIndex());
    assertEquals("/x", e.path());
    assertTrue(e.getMessage().endsWith("expected 3"), e.getMessage());
  }

  @Test
  void onlyLostConnectionsAndBackendFailuresLeaveTheOutcomeUnknown() {
    assertTrue(new ConnectionLossException("/a").isOutcomeUnknown());
    assertFalse(new NodeExistsException("/a").isOutcomeUnknown());
    assertFalse(new SessionExpiredException(null).isOutcomeUnknown());
    assertEquals(-1, new NoNodeException("/a").opIndex());
  }

  @Test
  void onlyExpiredAndClosedSessionsAreGone() {
    for (ErrorCode code : ErrorCode.values()) {
      assertEquals(code == ErrorCode.SESSION_EXPIRED || code == ErrorCode.SESSION_CLOSED,
          CoordinationException.of(code, "/a", "detail").isSessionGone(), code.name());
    }
  }

  private static String camelToCode(String simpleName) {
    String base = simpleName.replaceAll("Exception$", "");
    return base.replaceAll("([a-z])([A-Z])", "$1_$2").toUpperCase(java.util.Locale.ROOT);
  }
}
