package dev.cohort.inmemory;

import static dev.cohort.inmemory.InMemoryBackendTest.bytes;
import static dev.cohort.inmemory.InMemoryBackendTest.failure;
import static dev.cohort.inmemory.InMemoryBackendTest.join;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.cohort.spi.BadArgumentsException;
import dev.cohort.spi.CoordinationBackend;
import dev.cohort.spi.CoordinationException;
import dev.cohort.spi.CreateMode;
import dev.cohort.spi.DataTooLargeException;
import dev.cohort.spi.ErrorCode;
import dev.cohort.spi.InvalidPathException;
import dev.cohort.spi.Op;
import dev.cohort.spi.Session;
import dev.cohort.spi.SessionClosedException;
import dev.cohort.spi.Stat;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Each kind of bad input gets its typed error, and the tree is unchanged afterwards. */
class InMemoryBadInputTest {
  private final InMemoryFixture fixture = new InMemoryFixture(InMemoryBackend.builder().maxDataBytes(16));
  private final Session s = fixture.openSession();

  @AfterEach
  void close() {
    fixture.close();
  }

  /** A fingerprint of the whole tree as this session sees it: the root's and /a's stats. */
  private List<Stat> state() {
    return Arrays.asList(join(s.exists("/")), join(s.exists("/a")), join(s.exists("/zookeeper")));
  }

  @ParameterizedTest
  @ValueSource(strings = {"", "a", "/a/", "//a", "/a//b", "/.", "/..", "/a/.", "/x\u0000", "/x\u0019", "/x\u007f",
      "/x\u0085", "/x\ud800", "/x\ue000", "/x\ufff5"})
  void invalidPathsFailWithInvalidPathOnEveryOperationAndChangeNothing(String path) {
    join(s.create("/a", new byte[0], CreateMode.PERSISTENT));
    List<Stat> before = state();
    for (CoordinationException e : List.of(
        failure(s.create(path, new byte[0], CreateMode.PERSISTENT)),
        failure(s.delete(path, -1)),
        failure(s.setData(path, new byte[0], -1)),
        failure(s.exists(path)),
        failure(s.getData(path)),
        failure(s.getChildren(path)),
        failure(s.sync(path)),
        failure(s.multi(List.of(Op.check("/a", -1), Op.delete(path, -1)))))) {
      assertInstanceOf(InvalidPathException.class, e, e.getMessage());
    }
    assertEquals(before, state());
  }

  @Test
  void dataOverTheConfiguredLimitFailsWithDataTooLargeAndChangesNothing() {
    join(s.create("/a", bytes("sixteen bytes!!!"), CreateMode.PERSISTENT));
    List<Stat> before = state();
    assertInstanceOf(DataTooLargeException.class, failure(s.create("/b", new byte[17], CreateMode.PERSISTENT)));
    assertInstanceOf(DataTooLargeException.class, failure(s.setData("/a", new byte[17], -1)));
    CoordinationException inMulti = failure(s.multi(List.of(Op.setData("/a", new byte[1], -1), Op.setData("/a", new byte[17], -1))));
    assertInstanceOf(DataTooLargeException.class, inMulti);
    assertEquals(1, inMulti.opIndex());
    assertEquals(before, state());
    assertArrayEquals(bytes("sixteen bytes!!!"), join(s.getData("/a")).data());
  }

  @Test
  void defaultDataLimitIsOneMebibyte() {
    try (InMemoryFixture defaults = new InMemoryFixture()) {
      Session d = defaults.openSession();
      join(d.create("/max", new byte[CoordinationBackend.DEFAULT_MAX_DATA_BYTES], CreateMode.PERSISTENT));
      assertInstanceOf(DataTooLargeException.class,
          failure(d.create("/over", new byte[CoordinationBackend.DEFAULT_MAX_DATA_BYTES + 1], CreateMode.PERSISTENT)));
      assertNull(join(d.exists("/over")));
    }
  }

  @Test
  void nullArgumentsThrowNullPointerExceptionAtOnceAndChangeNothing() {
    List<Stat> before = state();
    assertThrows(NullPointerException.class, () -> s.create(null, new byte[0], CreateMode.PERSISTENT));
    assertThrows(NullPointerException.class, () -> s.create("/n", null, CreateMode.PERSISTENT));
    assertThrows(NullPointerException.class, () -> s.create("/n", new byte[0], null));
    assertThrows(NullPointerException.class, () -> s.setData("/n", null, -1));
    assertThrows(NullPointerException.class, () -> s.getData(null));
    assertThrows(NullPointerException.class, () -> s.multi(null));
    assertThrows(NullPointerException.class, () -> s.addWatch("/", dev.cohort.spi.WatchMode.PERSISTENT, null));
    assertThrows(NullPointerException.class, () -> fixture.backend().openSession(null));
    assertEquals(before, state());
  }

  @Test
  void mixedOrEmptyMultiFailsWithBadArgumentsAndAppliesNothing() {
    join(s.create("/a", new byte[0], CreateMode.PERSISTENT));
    List<Stat> before = state();
    CoordinationException mixed = failure(s.multi(List.of(Op.setData("/a", bytes("x"), -1), Op.getData("/a"))));
    assertInstanceOf(BadArgumentsException.class, mixed);
    assertEquals(1, mixed.opIndex());
    assertInstanceOf(BadArgumentsException.class, failure(s.multi(List.of())));
    assertEquals(before, state());
  }

  @Test
  void ttlArgumentsThatDoNotFitTheModeFailWithBadArguments() {
    List<Stat> before = state();
    assertInstanceOf(BadArgumentsException.class, failure(s.create("/t", new byte[0], CreateMode.PERSISTENT_WITH_TTL)));
    assertInstanceOf(BadArgumentsException.class, failure(s.create("/t", new byte[0], CreateMode.PERSISTENT, Duration.ofSeconds(1))));
    assertInstanceOf(BadArgumentsException.class, failure(s.create("/t", new byte[0], CreateMode.PERSISTENT_WITH_TTL, Duration.ZERO)));
    assertInstanceOf(BadArgumentsException.class, failure(s.create("/t", new byte[0], CreateMode.PERSISTENT_WITH_TTL, Duration.ofSeconds(-1))));
    assertEquals(before, state());
  }

  @Test
  void protectedNodesCannotBeDeleted() {
    List<Stat> before = state();
    assertEquals(ErrorCode.BAD_ARGUMENTS, failure(s.delete("/", -1)).code());
    assertEquals(ErrorCode.BAD_ARGUMENTS, failure(s.delete("/zookeeper", -1)).code());
    assertEquals(before, state());
  }

  @Test
  void operationsOnAClosedSessionFailWithSessionClosedAndChangeNothing() {
    Session closed = fixture.openSession();
    closed.close();
    closed.close(); // idempotent
    List<Stat> before = state();
    assertInstanceOf(SessionClosedException.class, failure(closed.create("/x", new byte[0], CreateMode.PERSISTENT)));
    assertInstanceOf(SessionClosedException.class, failure(closed.getData("/")));
    assertInstanceOf(SessionClosedException.class, failure(closed.multi(List.of(Op.check("/", -1)))));
    assertEquals(before, state());
  }

  @Test
  void operationsAfterTheBackendClosedFailWithSessionClosed() {
    Session other = fixture.openSession();
    fixture.backend().close();
    assertInstanceOf(SessionClosedException.class, failure(other.create("/x", new byte[0], CreateMode.PERSISTENT)));
    assertInstanceOf(SessionClosedException.class, failure(fixture.backend().openSession()));
  }
}
