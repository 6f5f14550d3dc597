package dev.cohort.tck;

import static dev.cohort.spi.WatchEvent.Type.NODE_CHILDREN_CHANGED;
import static dev.cohort.spi.WatchEvent.Type.NODE_CREATED;
import static dev.cohort.spi.WatchEvent.Type.NODE_DATA_CHANGED;
import static dev.cohort.tck.Requirements.requireCapability;
import static dev.cohort.tck.Requirements.requireFault;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.fail;

import dev.cohort.spi.BlockingSession;
import dev.cohort.spi.Capability;
import dev.cohort.spi.Children;
import dev.cohort.spi.CoordinationException;
import dev.cohort.spi.CreateMode;
import dev.cohort.spi.Created;
import dev.cohort.spi.ErrorCode;
import dev.cohort.spi.NodeData;
import dev.cohort.spi.Op;
import dev.cohort.spi.OpResult;
import dev.cohort.spi.Session;
import dev.cohort.spi.SessionState;
import dev.cohort.spi.Stat;
import dev.cohort.spi.WatchEvent;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The blocking view of a session ({@link Session#blocking()}) against its own contract: the same
 * results, the same typed errors (thrown instead of completing a future), the same watches as the
 * asynchronous operations, in the session's issue order; and {@link InterruptedException} for an
 * interrupted caller. Each check compares the blocking form with the asynchronous one on the same
 * session, so a backend that overrides the view is held to what its asynchronous path does.
 *
 * <p>The blocking calls themselves have no bound, so every test is bounded by {@link Timeout}, which
 * interrupts a call that hangs.
 */
@Timeout(60)
public abstract class BlockingSessionConformance extends ConformanceSuite {

  /** A blocking call under test. */
  @FunctionalInterface
  protected interface BlockingCall {
    Object call() throws InterruptedException;
  }

  // ---------------------------------------------------------------- results

  @Test
  public void blockingOperationsReturnWhatTheAsynchronousOnesReturn() throws InterruptedException {
    Session s = open();
    BlockingSession b = s.blocking();
    Created created = b.create("/a", bytes("one"), CreateMode.PERSISTENT);
    assertEquals("/a", created.path());
    assertEquals(get(s.exists("/a")), created.stat(), "the stat of the created node");
    assertEquals(get(s.getData("/a")), b.getData("/a"));
    assertEquals(get(s.exists("/a")), b.exists("/a"));
    assertArrayEquals(bytes("one"), b.getData("/a").data());

    Stat updated = b.setData("/a", bytes("two"), 0);
    assertEquals(1, updated.version());
    assertEquals(get(s.exists("/a")), updated);
    assertEquals("two", read(s, "/a"));

    b.create("/a/x", bytes(""), CreateMode.PERSISTENT);
    b.create("/a/y", bytes(""), CreateMode.EPHEMERAL);
    Children children = b.getChildren("/a");
    Children expected = get(s.getChildren("/a"));
    assertEquals(Set.of("x", "y"), new HashSet<>(children.names()));
    assertEquals(new HashSet<>(expected.names()), new HashSet<>(children.names()));
    assertEquals(expected.stat(), children.stat());
    assertEquals(s.id(), b.exists("/a/y").ephemeralOwner());

    assertNull(b.exists("/missing"), "a missing node's stat is null, not an error");
    b.delete("/a/x", 0);
    b.delete("/a/y", -1);
    b.delete("/a", 1);
    assertNull(get(s.exists("/a")));
  }

  @Test
  public void blockingSyncThenReadSeesAnotherSessionsCompletedWrite() throws InterruptedException {
    Session writer = open();
    Session reader = open();
    create(writer, "/shared", "v0");
    reader.blocking().sync("/shared");
    assertEquals("v0", text(reader.blocking().getData("/shared").data()));
    for (int i = 1; i <= 10; i++) {
      get(writer.setData("/shared", bytes("v" + i), -1));
      reader.blocking().sync("/shared");
      assertEquals("v" + i, text(reader.blocking().getData("/shared").data()));
    }
  }

  @Test
  public void sequentialCreatesShareOneCounterWithTheAsynchronousForm() throws InterruptedException {
    Session s = open();
    BlockingSession b = s.blocking();
    create(s, "/q", "");
    assertEquals("/q/n-0000000000", b.create("/q/n-", bytes(""), CreateMode.PERSISTENT_SEQUENTIAL).path());
    assertEquals("/q/n-0000000001", get(s.create("/q/n-", bytes(""), CreateMode.PERSISTENT_SEQUENTIAL)).path());
    Created ephemeral = b.create("/q/n-", bytes(""), CreateMode.EPHEMERAL_SEQUENTIAL);
    assertEquals("/q/n-0000000002", ephemeral.path());
    assertEquals(s.id(), ephemeral.stat().ephemeralOwner());
    assertEquals("/q/0000000003", b.create("/q/", bytes(""), CreateMode.PERSISTENT_SEQUENTIAL).path(),
        "a prefix ending in / names the node by its suffix alone");
  }

  @Test
  public void ttlCreateWorksAndIsCheckedLikeTheAsynchronousOne() throws InterruptedException {
    requireCapability(fixture, Capability.TTL_NODES);
    Session s = open();
    BlockingSession b = s.blocking();
    Created created = b.create("/t", bytes("ttl"), CreateMode.PERSISTENT_WITH_TTL, Duration.ofMinutes(10));
    assertEquals("/t", created.path());
    assertEquals(0, created.stat().ephemeralOwner(), "a TTL node belongs to no session");
    assertEquals("ttl", read(s, "/t"));
    create(s, "/tq", "");
    assertEquals("/tq/n-0000000000",
        b.create("/tq/n-", bytes(""), CreateMode.PERSISTENT_SEQUENTIAL_WITH_TTL, Duration.ofMinutes(10)).path());
    TreeSnapshot before = snapshot();
    assertSameFailure(ErrorCode.BAD_ARGUMENTS,
        () -> b.create("/u", bytes(""), CreateMode.PERSISTENT_WITH_TTL, Duration.ZERO),
        s.create("/u", bytes(""), CreateMode.PERSISTENT_WITH_TTL, Duration.ZERO));
    assertSameFailure(ErrorCode.BAD_ARGUMENTS,
        () -> b.create("/u", bytes(""), CreateMode.PERSISTENT_WITH_TTL),
        s.create("/u", bytes(""), CreateMode.PERSISTENT_WITH_TTL));
    assertSameFailure(ErrorCode.BAD_ARGUMENTS,
        () -> b.create("/u", bytes(""), CreateMode.PERSISTENT, Duration.ofMinutes(1)),
        s.create("/u", bytes(""), CreateMode.PERSISTENT, Duration.ofMinutes(1)));
    assertEquals(before, snapshot());
  }

  @Test
  public void containerCreateWorksLikeTheAsynchronousOne() throws InterruptedException {
    requireCapability(fixture, Capability.CONTAINER_NODES);
    Session s = open();
    Created created = s.blocking().create("/c", bytes(""), CreateMode.CONTAINER);
    assertEquals("/c", created.path());
    assertEquals(0, created.stat().ephemeralOwner(), "a container belongs to no session");
    assertEquals(created.stat(), get(s.exists("/c")));
  }

  @Test
  public void blockingOperationsAreOrderedAfterEarlierAsynchronousOnes() throws InterruptedException {
    Session s = open();
    create(s, "/a", "0");
    for (int i = 1; i <= 20; i++) {
      Future<Stat> write = s.setData("/a", bytes(String.valueOf(i)), -1);
      NodeData read = s.blocking().getData("/a");
      assertEquals(String.valueOf(i), text(read.data()), "the read was issued after the write");
      assertEquals(i, read.stat().version());
      get(write);
    }
    Future<Created> created = s.create("/b", bytes(""), CreateMode.PERSISTENT);
    s.blocking().delete("/b", 0);
    get(created);
    assertNull(get(s.exists("/b")));
  }

  // ---------------------------------------------------------------- errors

  @Test
  public void blockingWritesThrowTheTypedErrorsOfTheAsynchronousFormAndChangeNothing() throws InterruptedException {
    Session s = open();
    BlockingSession b = s.blocking();
    create(s, "/a", "v0");
    create(s, "/a/child", "");
    create(s, "/e", "", CreateMode.EPHEMERAL);
    get(s.setData("/a", bytes("v1"), 0));
    TreeSnapshot before = snapshot();

    assertSameFailure(ErrorCode.NODE_EXISTS,
        () -> b.create("/a", bytes(""), CreateMode.PERSISTENT), s.create("/a", bytes(""), CreateMode.PERSISTENT));
    assertSameFailure(ErrorCode.NO_NODE,
        () -> b.create("/none/x", bytes(""), CreateMode.PERSISTENT),
        s.create("/none/x", bytes(""), CreateMode.PERSISTENT));
    assertSameFailure(ErrorCode.NO_CHILDREN_FOR_EPHEMERALS,
        () -> b.create("/e/x", bytes(""), CreateMode.PERSISTENT), s.create("/e/x", bytes(""), CreateMode.PERSISTENT));
    assertSameFailure(ErrorCode.BAD_VERSION, () -> b.setData("/a", bytes("stale"), 0), s.setData("/a", bytes("stale"), 0));
    assertSameFailure(ErrorCode.NO_NODE, () -> b.setData("/none", bytes(""), -1), s.setData("/none", bytes(""), -1));
    assertSameFailure(ErrorCode.BAD_VERSION, () -> {
      b.delete("/a/child", 3);
      return null;
    }, s.delete("/a/child", 3));
    assertSameFailure(ErrorCode.NOT_EMPTY, () -> {
      b.delete("/a", -1);
      return null;
    }, s.delete("/a", -1));
    assertSameFailure(ErrorCode.NO_NODE, () -> {
      b.delete("/none", -1);
      return null;
    }, s.delete("/none", -1));
    assertSameFailure(ErrorCode.BAD_ARGUMENTS, () -> {
      b.delete("/", -1);
      return null;
    }, s.delete("/", -1));
    byte[] tooLarge = new byte[fixture.maxDataBytes() + 1];
    assertSameFailure(ErrorCode.DATA_TOO_LARGE,
        () -> b.create("/big", tooLarge, CreateMode.PERSISTENT), s.create("/big", tooLarge, CreateMode.PERSISTENT));
    assertSameFailure(ErrorCode.DATA_TOO_LARGE, () -> b.setData("/a", tooLarge, -1), s.setData("/a", tooLarge, -1));

    assertEquals(before, snapshot(), "no refused write changed anything");
  }

  @Test
  public void blockingReadsThrowTheTypedErrorsOfTheAsynchronousForm() {
    Session s = open();
    BlockingSession b = s.blocking();
    assertSameFailure(ErrorCode.NO_NODE, () -> b.getData("/none"), s.getData("/none"));
    assertSameFailure(ErrorCode.NO_NODE, () -> b.getChildren("/none"), s.getChildren("/none"));
  }

  @Test
  public void invalidPathsAreTypedErrorsNotRuntimeFailures() throws InterruptedException {
    Session s = open();
    BlockingSession b = s.blocking();
    TreeSnapshot before = snapshot();
    for (String path : List.of("no-slash", "/trailing/", "/double//slash", "/dot/./x", "")) {
      assertSameFailure(ErrorCode.INVALID_PATH,
          () -> b.create(path, bytes(""), CreateMode.PERSISTENT), s.create(path, bytes(""), CreateMode.PERSISTENT));
      assertSameFailure(ErrorCode.INVALID_PATH, () -> b.getData(path), s.getData(path));
      assertSameFailure(ErrorCode.INVALID_PATH, () -> b.exists(path), s.exists(path));
      assertSameFailure(ErrorCode.INVALID_PATH, () -> b.setData(path, bytes(""), -1), s.setData(path, bytes(""), -1));
      assertSameFailure(ErrorCode.INVALID_PATH, () -> {
        b.delete(path, -1);
        return null;
      }, s.delete(path, -1));
    }
    assertEquals(before, snapshot());
    assertEquals(SessionState.CONNECTED, s.state(), "refusals leave the session as it was");
    assertNotNull(b.exists("/"));
  }

  @Test
  public void nullArgumentsThrowNullPointerExceptionLikeTheAsynchronousForm() {
    Session s = open();
    BlockingSession b = s.blocking();
    assertThrows(NullPointerException.class, () -> b.create(null, bytes(""), CreateMode.PERSISTENT));
    assertThrows(NullPointerException.class, () -> b.create("/a", null, CreateMode.PERSISTENT));
    assertThrows(NullPointerException.class, () -> b.create("/a", bytes(""), null));
    assertThrows(NullPointerException.class, () -> b.getData(null));
    assertThrows(NullPointerException.class, () -> b.setData("/a", null, -1));
    assertThrows(NullPointerException.class, () -> b.multi(null));
  }

  // ---------------------------------------------------------------- multi

  @Test
  public void blockingMultiAppliesEveryWriteAndReturnsTheResultsInOpOrder() throws InterruptedException {
    Session s = open();
    create(s, "/a", "old");
    create(s, "/gone", "");
    List<OpResult> results = s.blocking().multi(List.of(
        Op.create("/b", bytes("b"), CreateMode.PERSISTENT),
        Op.setData("/a", bytes("new"), 0),
        Op.check("/a", 1),
        Op.delete("/gone", 0)));
    assertEquals(4, results.size());
    assertEquals(new OpResult.CreateResult("/b"), results.get(0));
    Stat stat = assertInstanceOf(OpResult.SetDataResult.class, results.get(1)).stat();
    assertEquals(get(s.exists("/a")), stat);
    assertInstanceOf(OpResult.CheckResult.class, results.get(2));
    assertInstanceOf(OpResult.DeleteResult.class, results.get(3));
    assertEquals("new", read(s, "/a"));
    assertNull(get(s.exists("/gone")));

    List<OpResult> reads = s.blocking().multi(List.of(Op.getData("/a"), Op.getChildren("/")));
    assertArrayEquals(bytes("new"), assertInstanceOf(OpResult.GetDataResult.class, reads.get(0)).data());
    assertEquals(get(s.exists("/a")), ((OpResult.GetDataResult) reads.get(0)).stat());
    assertEquals(new HashSet<>(get(s.getChildren("/")).names()),
        new HashSet<>(assertInstanceOf(OpResult.GetChildrenResult.class, reads.get(1)).children()));
  }

  @Test
  public void failedBlockingMultiThrowsTheFailingOpsErrorWithItsIndexAndChangesNothing() {
    Session s = open();
    BlockingSession b = s.blocking();
    create(s, "/a", "old");
    create(s, "/exists", "");
    TreeSnapshot before = snapshot();
    List<Op> writes = List.of(
        Op.create("/new", bytes(""), CreateMode.PERSISTENT),
        Op.setData("/a", bytes("changed"), -1),
        Op.create("/exists", bytes(""), CreateMode.PERSISTENT),
        Op.delete("/a", -1));
    assertEquals(2, assertSameFailure(ErrorCode.NODE_EXISTS, () -> b.multi(writes), s.multi(writes)).opIndex());
    List<Op> checked = List.of(Op.check("/a", 7), Op.create("/guarded", bytes(""), CreateMode.PERSISTENT));
    assertEquals(0, assertSameFailure(ErrorCode.BAD_VERSION, () -> b.multi(checked), s.multi(checked)).opIndex());
    List<Op> reads = List.of(Op.getData("/a"), Op.getData("/missing"), Op.getChildren("/"));
    assertEquals(1, assertSameFailure(ErrorCode.NO_NODE, () -> b.multi(reads), s.multi(reads)).opIndex(),
        "a read multi fails at its first failing op, like a write multi");
    List<Op> mixed = List.of(Op.create("/b", bytes(""), CreateMode.PERSISTENT), Op.getData("/a"));
    assertSameFailure(ErrorCode.BAD_ARGUMENTS, () -> b.multi(mixed), s.multi(mixed));
    assertSameFailure(ErrorCode.BAD_ARGUMENTS, () -> b.multi(List.of()), s.multi(List.of()));
    assertEquals(before, snapshot());
  }

  // ---------------------------------------------------------------- watches

  @Test
  public void watchesSetByBlockingReadsFireLikeThoseOfTheAsynchronousForm() throws InterruptedException {
    Session s = open();
    Session writer = open();
    BlockingSession b = s.blocking();
    RecordingWatcher created = new RecordingWatcher();
    assertNull(b.exists("/a", created));
    create(writer, "/a", "");
    WatchConformance.assertEvents(created, s, List.of(event(NODE_CREATED, "/a")), "/a");

    RecordingWatcher data = new RecordingWatcher();
    RecordingWatcher children = new RecordingWatcher();
    RecordingWatcher existing = new RecordingWatcher();
    b.sync("/a");
    b.getData("/a", data);
    b.getChildren("/a", children);
    b.exists("/a", existing);
    get(writer.setData("/a", bytes("x"), -1));
    WatchConformance.assertEvents(data, s, List.of(event(NODE_DATA_CHANGED, "/a")), "/a");
    create(writer, "/a/c", "");
    WatchConformance.assertEvents(children, s, List.of(event(NODE_CHILDREN_CHANGED, "/a")), "/a");
    assertEquals(List.of(event(NODE_DATA_CHANGED, "/a")), existing.events(), "the exists watch fired on the change");
  }

  @Test
  public void aFailedBlockingReadSetsNoWatch() throws InterruptedException {
    Session s = open();
    Session writer = open();
    BlockingSession b = s.blocking();
    RecordingWatcher data = new RecordingWatcher();
    RecordingWatcher children = new RecordingWatcher();
    assertThrowsCode(ErrorCode.NO_NODE, () -> b.getData("/a", data));
    assertThrowsCode(ErrorCode.NO_NODE, () -> b.getChildren("/a", children));
    create(writer, "/a", "");
    create(writer, "/a/c", "");
    get(writer.setData("/a", bytes("x"), -1));
    WatchConformance.assertEvents(data, s, List.of(), "/a", "/a/c");
    WatchConformance.assertEvents(children, s, List.of(), "/a", "/a/c");
  }

  @Test
  public void oneWatcherSetThroughBothFormsIsOneRegistration() throws InterruptedException {
    Session s = open();
    Session writer = open();
    create(writer, "/a", "");
    RecordingWatcher w = new RecordingWatcher();
    s.blocking().sync("/");
    s.blocking().getData("/a", w);
    get(s.exists("/a", w));
    s.blocking().exists("/a", w);
    get(writer.setData("/a", bytes("x"), -1));
    WatchConformance.assertEvents(w, s, List.of(event(NODE_DATA_CHANGED, "/a")), "/a");
  }

  @Test
  public void watchSetByABlockingReadIsRemovedByRemoveWatches() throws InterruptedException {
    Session s = open();
    Session writer = open();
    create(writer, "/a", "");
    RecordingWatcher w = new RecordingWatcher();
    s.blocking().sync("/");
    s.blocking().getData("/a", w);
    s.blocking().getChildren("/a", w);
    get(s.removeWatches("/a", w));
    get(writer.setData("/a", bytes("x"), -1));
    create(writer, "/a/c", "");
    WatchConformance.assertEvents(w, s, List.of(), "/a", "/a/c");
  }

  // ---------------------------------------------------------------- sessions and interrupts

  @Test
  public void everyBlockingOperationOnAClosedSessionThrowsSessionClosedAndChangesNothing() {
    Session s = open();
    create(s, "/a", "");
    BlockingSession b = s.blocking();
    s.close();
    TreeSnapshot before = snapshot();
    assertEveryOperationThrows(ErrorCode.SESSION_CLOSED, b);
    assertEquals(before, snapshot());
    assertEquals(SessionState.CLOSED, s.state());
    assertEveryOperationThrows(ErrorCode.SESSION_CLOSED, s.blocking());
  }

  @Test
  public void everyBlockingOperationOnAnExpiredSessionThrowsSessionExpired() {
    requireFault(fixture, FaultControl.EXPIRE);
    Session s = open();
    create(s, "/a", "");
    fixture.expire(s);
    awaitState(s, SessionState.EXPIRED);
    TreeSnapshot before = snapshot();
    assertEveryOperationThrows(ErrorCode.SESSION_EXPIRED, s.blocking());
    assertEquals(before, snapshot());
  }

  @Test
  public void blockingOperationsOfASuspendedSessionThrowConnectionLoss() throws InterruptedException {
    requireFault(fixture, FaultControl.DISCONNECT);
    Session s = open();
    create(s, "/a", "");
    fixture.disconnect(s);
    assertThrowsCode(ErrorCode.CONNECTION_LOSS, () -> s.blocking().getData("/a"));
    assertThrowsCode(ErrorCode.CONNECTION_LOSS, () -> s.blocking().setData("/a", bytes("x"), -1));
    fixture.reconnect(s);
    awaitState(s, SessionState.RECONNECTED);
    assertEquals("", text(s.blocking().getData("/a").data()), "the refused write was not applied");
  }

  @Test
  public void aBlockingWriteWhoseReplyWasLostThrowsConnectionLossThoughItWasApplied() {
    requireFault(fixture, FaultControl.LOSE_REPLY);
    Session s = open();
    create(s, "/p", "");
    fixture.loseNextReply(s);
    assertThrowsCode(ErrorCode.CONNECTION_LOSS, () -> s.blocking().create("/p/a", bytes("x"), CreateMode.PERSISTENT));
    awaitState(s, SessionState.RECONNECTED);
    get(observer().sync("/p/a"));
    assertEquals("x", read(observer(), "/p/a"), "the write took effect although its reply was lost");
  }

  @Test
  public void aCallerInterruptedOnEntryGetsInterruptedExceptionAndNothingIsSent() {
    Session s = open();
    BlockingSession b = s.blocking();
    create(s, "/a", "v0");
    try {
      Thread.currentThread().interrupt();
      assertThrows(InterruptedException.class, () -> b.create("/b", bytes(""), CreateMode.PERSISTENT));
      assertFalse(Thread.currentThread().isInterrupted(), "the interrupt status is cleared with the throw");
      Thread.currentThread().interrupt();
      assertThrows(InterruptedException.class, () -> b.setData("/a", bytes("v1"), -1));
      Thread.currentThread().interrupt();
      assertThrows(InterruptedException.class, () -> b.getData("/a"));
      Thread.currentThread().interrupt();
      assertThrows(InterruptedException.class, () -> b.multi(List.of(Op.delete("/a", -1))));
    } finally {
      Thread.interrupted();
    }
    assertNull(get(s.exists("/b")));
    assertEquals("v0", read(s, "/a"));
    assertEquals(SessionState.CONNECTED, s.state(), "an interrupted caller leaves the session as it was");
  }

  // ---------------------------------------------------------------- helpers

  private static WatchEvent event(WatchEvent.Type type, String path) {
    return new WatchEvent(type, path);
  }

  /** Asserts that {@code call} throws the exception of {@code code} (class and code). */
  protected static CoordinationException assertThrowsCode(ErrorCode code, BlockingCall call) {
    Object value;
    try {
      value = call.call();
    } catch (CoordinationException e) {
      assertEquals(code, e.code(), () -> "wrong error: " + e);
      assertEquals(CoordinationException.of(code, null).getClass(), e.getClass(), "exception class matches its code");
      return e;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError("interrupted", e);
    }
    return fail("expected " + code + ", but the call returned " + value);
  }

  /**
   * Asserts that the blocking {@code call} throws what the asynchronous {@code future} of the same
   * operation fails with: the same code, path and multi index.
   */
  protected static CoordinationException assertSameFailure(ErrorCode code, BlockingCall call, Future<?> future) {
    CoordinationException async = assertFails(code, future);
    CoordinationException thrown = assertThrowsCode(code, call);
    assertEquals(async.path(), thrown.path(), "the path the error concerns");
    assertEquals(async.opIndex(), thrown.opIndex(), "the index of the failing op");
    return thrown;
  }

  private static void assertEveryOperationThrows(ErrorCode code, BlockingSession b) {
    assertThrowsCode(code, () -> b.create("/b", bytes(""), CreateMode.PERSISTENT));
    assertThrowsCode(code, () -> b.setData("/a", bytes("x"), -1));
    assertThrowsCode(code, () -> {
      b.delete("/a", -1);
      return null;
    });
    assertThrowsCode(code, () -> b.exists("/a"));
    assertThrowsCode(code, () -> b.getData("/a"));
    assertThrowsCode(code, () -> b.getChildren("/"));
    assertThrowsCode(code, () -> {
      b.sync("/");
      return null;
    });
    assertThrowsCode(code, () -> b.multi(List.of(Op.delete("/a", -1))));
  }
}
