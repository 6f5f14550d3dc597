package dev.cohort.zookeeper;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cohort.spi.BlockingSession;
import dev.cohort.spi.CoordinationException;
import dev.cohort.spi.CreateMode;
import dev.cohort.spi.ErrorCode;
import dev.cohort.spi.Op;
import dev.cohort.spi.Session;
import dev.cohort.spi.SessionState;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * A reply whose error code this client does not know, as a newer server may send: the proxy writes
 * an unknown code into the next reply's header. Both views of the session turn it into the SPI's
 * typed {@link ErrorCode#BACKEND_FAILURE} with the native detail attached (ZooKeeper's synchronous
 * API itself throws an untyped {@code IllegalArgumentException} for it), and the session carries on.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ZooKeeperUnknownErrorCodeTest {

  /** Not a ZooKeeper code in 3.9; codes are negative, and the server's own range ends near -130. */
  private static final int UNKNOWN_CODE = -4242;

  private ZooKeeperFixture fixture;
  private Session session;

  @BeforeAll
  void start() throws Exception {
    fixture = new ZooKeeperFixture();
    session = fixture.backend().openSession().get(30, TimeUnit.SECONDS);
    session.create("/known", bytes("v"), CreateMode.PERSISTENT).get(30, TimeUnit.SECONDS);
  }

  @AfterAll
  void stop() {
    fixture.close();
  }

  /** One operation through the blocking view. */
  interface BlockingCall {
    void run(BlockingSession b) throws Exception;
  }

  /** The same operation through the asynchronous view. */
  interface AsyncCall {
    CompletableFuture<?> run(Session s);
  }

  /** One operation, to be run once through each view. */
  record Operation(String name, BlockingCall blocking, AsyncCall async) {
    Stream<Arguments> bothViews() {
      return Stream.of(Arguments.of(name, this, true), Arguments.of(name, this, false));
    }

    void run(Session s, boolean viaBlocking) throws Exception {
      if (viaBlocking) {
        blocking.run(s.blocking());
      } else {
        async.run(s).get(30, TimeUnit.SECONDS);
      }
    }
  }

  static Stream<Arguments> operations() {
    List<Op> ops = List.of(Op.check("/known", -1), Op.create("/made", bytes(""), CreateMode.PERSISTENT));
    return Stream.of(
        new Operation("create", b -> b.create("/made", bytes(""), CreateMode.PERSISTENT),
            s -> s.create("/made", bytes(""), CreateMode.PERSISTENT)),
        new Operation("getData", b -> b.getData("/known"), s -> s.getData("/known")),
        new Operation("setData", b -> b.setData("/known", bytes("w"), -1), s -> s.setData("/known", bytes("w"), -1)),
        new Operation("exists", b -> b.exists("/known"), s -> s.exists("/known")),
        new Operation("getChildren", b -> b.getChildren("/"), s -> s.getChildren("/")),
        new Operation("sync", b -> b.sync("/known"), s -> s.sync("/known")),
        new Operation("multi", b -> b.multi(ops), s -> s.multi(ops)),
        new Operation("delete", b -> b.delete("/missing", -1), s -> s.delete("/missing", -1)))
        .flatMap(Operation::bothViews);
  }

  @ParameterizedTest(name = "{0}, blocking={2}")
  @MethodSource("operations")
  void anUnknownCodeIsATypedBackendFailureAndTheSessionCarriesOn(String name, Operation call, boolean blocking)
      throws Exception {
    fixture.proxy().rewriteNextReplyError(session.id(), UNKNOWN_CODE);

    CoordinationException failure = thrownBy(call, blocking);

    assertEquals(ErrorCode.BACKEND_FAILURE, failure.code(), name + ": " + failure);
    assertNotNull(failure.getCause(), "the native exception stays attached for callers who inspect it");
    assertTrue(failure.getMessage().contains(String.valueOf(UNKNOWN_CODE)), "names the code: " + failure);
    assertEquals(SessionState.CONNECTED, session.state(), "one odd reply does not end the session");
    // The next requests are answered as usual. The proxy only rewrote the reply, so the server
    // applied what it was asked: undo that for the next case.
    session.blocking().setData("/known", bytes("v"), -1);
    assertArrayEquals(bytes("v"), session.blocking().getData("/known").data());
    if (session.blocking().exists("/made") != null) {
      session.blocking().delete("/made", -1);
    }
  }

  private CoordinationException thrownBy(Operation call, boolean blocking) {
    Throwable thrown = assertThrows(Throwable.class, () -> call.run(session, blocking));
    Throwable t = thrown instanceof ExecutionException ? thrown.getCause() : thrown;
    return assertInstanceOf(CoordinationException.class, t, () -> "a typed error, not " + t);
  }

  private static byte[] bytes(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }
}
