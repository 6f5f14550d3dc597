package dev.cohort.tck;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cohort.spi.CoordinationException;
import dev.cohort.spi.CreateMode;
import dev.cohort.spi.ErrorCode;
import dev.cohort.spi.Op;
import dev.cohort.spi.Session;
import dev.cohort.spi.SessionState;
import dev.cohort.spi.WatchMode;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Bad input (checklist line 8 and the SPI's error contract): every refused request gets its typed
 * error and leaves the tree exactly as it was. Null arguments throw NullPointerException at once;
 * every other refusal fails the future.
 */
public abstract class BadInputConformance extends ConformanceSuite {

  private static byte[] filled(int length) {
    byte[] data = new byte[length];
    Arrays.fill(data, (byte) 'z');
    return data;
  }

  @Test
  public void nullPathThrowsNullPointerExceptionAndChangesNothing() {
    Session s = open();
    create(s, "/a", "");
    TreeSnapshot before = snapshot();
    assertThrows(NullPointerException.class, () -> s.create(null, bytes(""), CreateMode.PERSISTENT));
    assertThrows(NullPointerException.class, () -> s.delete(null, -1));
    assertThrows(NullPointerException.class, () -> s.exists(null));
    assertThrows(NullPointerException.class, () -> s.getData(null));
    assertThrows(NullPointerException.class, () -> s.setData(null, bytes(""), -1));
    assertThrows(NullPointerException.class, () -> s.getChildren(null));
    assertThrows(NullPointerException.class, () -> s.sync(null));
    assertEquals(before, snapshot());
  }

  @Test
  public void nullDataThrowsNullPointerExceptionAndChangesNothing() {
    Session s = open();
    create(s, "/a", "kept");
    TreeSnapshot before = snapshot();
    assertThrows(NullPointerException.class, () -> s.create("/b", null, CreateMode.PERSISTENT));
    assertThrows(NullPointerException.class, () -> s.setData("/a", null, -1));
    assertThrows(NullPointerException.class, () -> Op.create("/b", null, CreateMode.PERSISTENT));
    assertEquals(before, snapshot());
    assertEquals("kept", read(s, "/a"));
  }

  @Test
  public void nullModeOrOpsThrowNullPointerExceptionAndChangeNothing() {
    Session s = open();
    TreeSnapshot before = snapshot();
    assertThrows(NullPointerException.class, () -> s.create("/b", bytes(""), null));
    assertThrows(NullPointerException.class, () -> s.multi(null));
    assertThrows(NullPointerException.class, () -> s.addWatch("/b", null, new RecordingWatcher()));
    assertEquals(before, snapshot());
  }

  @Test
  public void dataOfExactlyTheLimitIsAccepted() {
    Session s = open();
    byte[] data = filled(fixture.maxDataBytes());
    get(s.create("/big", data, CreateMode.PERSISTENT));
    assertArrayEquals(data, get(s.getData("/big")).data());
    get(s.setData("/big", data, -1));
    assertEquals(fixture.maxDataBytes(), get(s.exists("/big")).dataLength());
  }

  @Test
  public void createWithDataOverTheLimitFailsWithDataTooLargeAndCreatesNothing() {
    Session s = open();
    TreeSnapshot before = snapshot();
    assertFails(ErrorCode.DATA_TOO_LARGE, s.create("/big", filled(fixture.maxDataBytes() + 1), CreateMode.PERSISTENT));
    assertFails(ErrorCode.DATA_TOO_LARGE, s.create("/big", filled(fixture.maxDataBytes() + 1), CreateMode.EPHEMERAL_SEQUENTIAL));
    assertEquals(before, snapshot());
  }

  @Test
  public void setDataOverTheLimitFailsWithDataTooLargeAndKeepsTheOldData() {
    Session s = open();
    create(s, "/a", "small");
    TreeSnapshot before = snapshot();
    assertFails(ErrorCode.DATA_TOO_LARGE, s.setData("/a", filled(fixture.maxDataBytes() + 1), -1));
    assertEquals(before, snapshot());
    assertEquals("small", read(s, "/a"));
  }

  @Test
  public void multiWithOversizedDataFailsWhole() {
    Session s = open();
    create(s, "/a", "small");
    TreeSnapshot before = snapshot();
    assertFails(ErrorCode.DATA_TOO_LARGE, s.multi(List.of(
        Op.create("/b", bytes("fine"), CreateMode.PERSISTENT),
        Op.setData("/a", filled(fixture.maxDataBytes() + 1), -1))));
    assertEquals(before, snapshot());
  }

  @Test
  public void emptyMultiFailsWithBadArgumentsAndChangesNothing() {
    Session s = open();
    create(s, "/a", "");
    TreeSnapshot before = snapshot();
    assertFails(ErrorCode.BAD_ARGUMENTS, s.multi(List.of()));
    assertEquals(before, snapshot());
  }

  @Test
  public void mixedReadWriteMultiFailsWithBadArgumentsAndChangesNothing() {
    Session s = open();
    create(s, "/a", "");
    TreeSnapshot before = snapshot();
    assertFails(ErrorCode.BAD_ARGUMENTS, s.multi(List.of(Op.delete("/a", -1), Op.getData("/a"))));
    assertEquals(before, snapshot());
  }

  @Test
  public void everyOperationOnAClosedSessionFailsWithSessionClosedAndChangesNothing() {
    Session s = open();
    create(s, "/a", "");
    s.close();
    TreeSnapshot before = snapshot();
    assertFails(ErrorCode.SESSION_CLOSED, s.create("/b", bytes(""), CreateMode.PERSISTENT));
    assertFails(ErrorCode.SESSION_CLOSED, s.setData("/a", bytes("x"), -1));
    assertFails(ErrorCode.SESSION_CLOSED, s.delete("/a", -1));
    assertFails(ErrorCode.SESSION_CLOSED, s.exists("/a"));
    assertFails(ErrorCode.SESSION_CLOSED, s.getData("/a"));
    assertFails(ErrorCode.SESSION_CLOSED, s.getChildren("/"));
    assertFails(ErrorCode.SESSION_CLOSED, s.sync("/"));
    assertFails(ErrorCode.SESSION_CLOSED, s.multi(List.of(Op.delete("/a", -1))));
    assertFails(ErrorCode.SESSION_CLOSED, s.removeWatches("/a", new RecordingWatcher()));
    assertEquals(before, snapshot());
    assertEquals(SessionState.CLOSED, s.state());
  }

  /**
   * The order of checks is ZooKeeper's (measured on a 3.9.3 server and client): the client checks
   * a path before it looks at its connection, so an invalid path is INVALID_PATH even on a closed
   * session; data over the limit is the service's to refuse, so a closed session answers
   * SESSION_CLOSED first.
   */
  @Test
  public void onAClosedSessionAnInvalidPathComesFirstThenTheClosedSessionThenTheDataLimit() {
    Session s = open();
    create(s, "/a", "");
    s.close();
    TreeSnapshot before = snapshot();
    byte[] tooLarge = filled(fixture.maxDataBytes() + 1);
    assertFails(ErrorCode.INVALID_PATH, s.create("bad", bytes(""), CreateMode.PERSISTENT));
    assertFails(ErrorCode.INVALID_PATH, s.create("bad", tooLarge, CreateMode.PERSISTENT));
    assertFails(ErrorCode.INVALID_PATH, s.setData("/a/", tooLarge, -1));
    assertFails(ErrorCode.INVALID_PATH, s.getData("/a//b"));
    assertFails(ErrorCode.INVALID_PATH, s.delete("bad", -1));
    CoordinationException e = assertFails(ErrorCode.INVALID_PATH,
        s.multi(List.of(Op.delete("/a", -1), Op.setData("bad", tooLarge, -1))));
    assertEquals(1, e.opIndex());
    assertFails(ErrorCode.SESSION_CLOSED, s.create("/b", tooLarge, CreateMode.PERSISTENT));
    assertFails(ErrorCode.SESSION_CLOSED, s.setData("/a", tooLarge, -1));
    assertFails(ErrorCode.SESSION_CLOSED, s.multi(List.of(Op.setData("/a", tooLarge, -1))));
    assertEquals(before, snapshot());
  }

  @Test
  public void anInvalidPathComesBeforeDataOverTheLimit() {
    Session s = open();
    create(s, "/a", "");
    TreeSnapshot before = snapshot();
    byte[] tooLarge = filled(fixture.maxDataBytes() + 1);
    assertFails(ErrorCode.INVALID_PATH, s.create("/b/", tooLarge, CreateMode.PERSISTENT));
    assertFails(ErrorCode.INVALID_PATH, s.setData("a", tooLarge, -1));
    CoordinationException e = assertFails(ErrorCode.INVALID_PATH,
        s.multi(List.of(Op.setData("/a", tooLarge, -1), Op.create("/c/./d", bytes(""), CreateMode.PERSISTENT))));
    assertEquals(1, e.opIndex());
    assertEquals(before, snapshot());
  }

  @Test
  public void addWatchOnAClosedSessionFailsWithSessionClosedOrUnimplemented() {
    Session s = open();
    s.close();
    ErrorCode code = failure(s.addWatch("/a", WatchMode.PERSISTENT, new RecordingWatcher())).code();
    assertTrue(code == ErrorCode.SESSION_CLOSED || code == ErrorCode.UNIMPLEMENTED, "got " + code);
  }

  @Test
  public void openSessionAfterBackendCloseFailsWithSessionClosed() {
    closeBackend();
    assertFails(ErrorCode.SESSION_CLOSED, fixture.backend().openSession());
  }

  @Test
  public void backendCloseClosesItsSessionsAndTheirOperationsFailWithSessionClosed() {
    Session s = open();
    create(s, "/a", "");
    RecordingStateListener listener = new RecordingStateListener();
    s.addStateListener(listener);
    closeBackend();
    awaitState(s, SessionState.CLOSED);
    waitFor().until(() -> listener.states().equals(List.of(SessionState.CLOSED)));
    assertFails(ErrorCode.SESSION_CLOSED, s.getData("/a"));
    assertFails(ErrorCode.SESSION_CLOSED, s.setData("/a", bytes("x"), -1));
    assertFails(ErrorCode.SESSION_CLOSED, s.create("/b", bytes(""), CreateMode.PERSISTENT));
    assertFails(ErrorCode.SESSION_CLOSED, s.delete("/a", -1));
    // the tree itself can no longer be read through this backend: no session can be opened
    assertFails(ErrorCode.SESSION_CLOSED, fixture.backend().openSession());
  }

  @Test
  public void backendCloseIsIdempotent() {
    closeBackend();
    fixture.backend().close();
    assertFails(ErrorCode.SESSION_CLOSED, fixture.backend().openSession());
  }
}
