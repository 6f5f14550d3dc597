package dev.cohort.recipes;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cohort.spi.ConnectionLossException;
import dev.cohort.spi.CoordinationBackend;
import dev.cohort.spi.CreateMode;
import dev.cohort.spi.InvalidPathException;
import dev.cohort.spi.NoNodeException;
import dev.cohort.spi.Op;
import dev.cohort.spi.OpResult;
import dev.cohort.spi.Session;
import dev.cohort.spi.SessionExpiredException;
import dev.cohort.spi.Stat;
import dev.cohort.spi.WatchEvent;
import dev.cohort.spi.Watcher;
import dev.cohort.tck.FaultControl;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.lang.reflect.InvocationHandler;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** The client's guarantees, on any backend. */
public abstract class CohortClientSuite extends RecipeSuiteSupport {

  @Test
  void everyPathLivesUnderTheNamespace() throws InterruptedException {
    Cohort client = newClient();
    client.blocking().createWithParents("/a/b/c", "x".getBytes(StandardCharsets.UTF_8), CreateMode.PERSISTENT);
    assertEquals(List.of("a"), childrenOf("/"));
    assertEquals(List.of("c"), childrenOf("/a/b"));
    assertEquals("x", new String(client.blocking().getData("/a/b/c", null).data(), StandardCharsets.UTF_8));
  }

  @Test
  void blockingFormThrowsTheTypedErrorOfTheBackend() {
    Cohort client = newClient();
    NoNodeException e = assertThrows(NoNodeException.class, () -> client.blocking().getData("/missing", null));
    assertEquals(fullPath("/missing"), e.path());
  }

  @Test
  void blockingOperationsSpeakNamespaceRelativePathsBothWays() throws InterruptedException {
    Cohort client = newClient();
    Cohort other = newClient();
    BlockingOps ops = client.blocking();
    assertEquals("/", ops.create("/", new byte[0], CreateMode.PERSISTENT).path(), "the namespace node itself");
    assertEquals("/a", ops.create("/a", bytes("1"), CreateMode.PERSISTENT).path());
    assertTrue(exists("/a"), "created under the namespace");
    assertEquals("1", text(ops.getData("/a", null).data()));
    assertEquals(1, ops.setData("/a", bytes("2"), 0).version());
    assertEquals(ops.exists("/a", null), client.async().exists("/a", null).join());
    assertEquals("/q/n-0000000000", ops.createWithParents("/q/n-", new byte[0], CreateMode.PERSISTENT_SEQUENTIAL).path());
    assertEquals("/q/n-0000000001", ops.create("/q/n-", new byte[0], CreateMode.PERSISTENT_SEQUENTIAL).path());
    List<OpResult> results = ops.multi(List.of(
        Op.create("/m", new byte[0], CreateMode.PERSISTENT),
        Op.create("/q/n-", new byte[0], CreateMode.PERSISTENT_SEQUENTIAL),
        Op.check("/a", 1)));
    assertEquals(new OpResult.CreateResult("/m"), results.get(0));
    assertEquals(new OpResult.CreateResult("/q/n-0000000002"), results.get(1));
    assertEquals(Set.of("a", "q", "m"), Set.copyOf(ops.getChildren("/", null).names()));
    NoNodeException missing = assertThrows(NoNodeException.class, () -> ops.multi(List.of(Op.check("/none", -1))));
    assertEquals(fullPath("/none"), missing.path());
    assertEquals(0, missing.opIndex());

    List<WatchEvent> events = new CopyOnWriteArrayList<>();
    Watcher watcher = events::add;
    ops.getData("/a", watcher);
    ops.getChildren("/q", watcher);
    other.blocking().setData("/a", bytes("3"), -1);
    other.blocking().delete("/q/n-0000000000", -1);
    await().until(() -> events.size() == 2);
    assertEquals(Set.of(new WatchEvent(WatchEvent.Type.NODE_DATA_CHANGED, "/a"),
        new WatchEvent(WatchEvent.Type.NODE_CHILDREN_CHANGED, "/q")), Set.copyOf(events),
        "watchers set through the blocking form hear namespace-relative paths");
    ops.sync("/a");
    ops.delete("/m", -1);
    assertFalse(exists("/m"));
  }

  @Test
  void aBlockingReadWhoseReplyWasLostIsRetriedAndReturns() throws InterruptedException {
    requireFaults(FaultControl.LOSE_REPLY);
    Cohort client = newClient();
    client.blocking().createWithParents("/r", bytes("v"), CreateMode.PERSISTENT);
    fixture.loseNextReply(client.session());
    assertEquals("v", text(client.blocking().getData("/r", null).data()),
        "the first attempt saw ConnectionLoss; the retry answered");
  }

  @Test
  void aBlockingWriteWhoseReplyWasLostIsRetriedOnTheSameSession() throws InterruptedException {
    requireFaults(FaultControl.LOSE_REPLY);
    Cohort client = newClient();
    client.blocking().createWithParents("/r", bytes("v0"), CreateMode.PERSISTENT);
    long session = client.sessionId();
    fixture.loseNextReply(client.session());
    Stat stat = client.blocking().setData("/r", bytes("v1"), -1);
    assertEquals(2, stat.version(), "applied by the lost first attempt, then again by the retry");
    assertEquals(session, client.sessionId());
    assertEquals("v1", text(client.blocking().getData("/r", null).data()));
  }

  @Test
  void aBlockingSequentialCreateWhoseReplyWasLostIsNotRetriedBlindly() throws InterruptedException {
    requireFaults(FaultControl.LOSE_REPLY);
    Cohort client = newClient();
    client.blocking().createWithParents("/q", new byte[0], CreateMode.PERSISTENT);
    fixture.loseNextReply(client.session());
    assertThrows(ConnectionLossException.class,
        () -> client.blocking().create("/q/n-", new byte[0], CreateMode.PERSISTENT_SEQUENTIAL));
    assertEquals(1, childrenOf("/q").size(), "applied once, by the attempt whose reply was lost");
  }

  @Test
  void aBlockingOperationRefusedWhileSuspendedIsRetriedOnceTheConnectionReturns() throws InterruptedException {
    requireFaults(FaultControl.DISCONNECT);
    AtomicInteger delays = new AtomicInteger();
    Cohort client = clientReconnectedAtItsFirstBackoff(delays);
    client.blocking().createWithParents("/r", bytes("v"), CreateMode.PERSISTENT);
    fixture.disconnect(client.session());
    assertEquals("v", text(client.blocking().getData("/r", null).data()));
    assertEquals(1, delays.get(), "one backoff after the refused first attempt, then success");
  }

  @Test
  void aBlockingOperationSpendsTheSameRetryBudgetAsTheAsynchronousOne() {
    requireFaults(FaultControl.DISCONNECT);
    AtomicInteger delays = new AtomicInteger();
    AsyncCallCounter counter = new AsyncCallCounter(fixture.backend());
    Cohort client = newClient(Cohort.builder(counter.backend()).scheduler(countingPolicyBackoffs(delays)));
    fixture.disconnect(counter.session(0));
    assertThrows(ConnectionLossException.class, () -> client.blocking().exists("/x", null));
    assertEquals(20, delays.get(), "the suite's policy allows 20 retries");
    assertEquals(20, counter.calls("exists"),
        "the first of the 21 attempts was the blocking one; each retry came after a backoff");
  }

  @Test
  void aBlockingFailureThePolicyDoesNotRetryIsThrownAtOnce() {
    AtomicInteger delays = new AtomicInteger();
    AsyncCallCounter counter = new AsyncCallCounter(fixture.backend());
    Cohort client = newClient(Cohort.builder(counter.backend()).scheduler((delay, task) -> {
      delays.incrementAndGet();
      pool.execute(task);
    }));
    assertThrows(NoNodeException.class, () -> client.blocking().setData("/missing", new byte[0], -1));
    assertThrows(InvalidPathException.class, () -> client.blocking().getData("/bad/", null));
    assertEquals(0, delays.get());
    assertEquals(0, counter.calls("setData") + counter.calls("getData"), "no second attempt");
  }

  /**
   * The fixture's backend, seen through proxies that count the asynchronous operations called on its
   * sessions (by method name). A session's blocking view is the real session's, so its calls are not
   * counted: what is counted is what the client sends besides its blocking first attempt.
   */
  private static final class AsyncCallCounter {
    private final CoordinationBackend real;
    private final List<Session> opened = new CopyOnWriteArrayList<>();
    private final Map<String, AtomicInteger> calls = new ConcurrentHashMap<>();

    AsyncCallCounter(CoordinationBackend real) {
      this.real = real;
    }

    CoordinationBackend backend() {
      return proxy(CoordinationBackend.class, (proxy, method, args) -> {
        Object result = invoke(real, method, args);
        if (method.getName().equals("openSession")) {
          return ((CompletableFuture<?>) result).thenApply(s -> {
            opened.add((Session) s);
            return countingSession((Session) s);
          });
        }
        return result;
      });
    }

    /** The real session the client opened {@code index}-th, for the fixture's fault controls. */
    Session session(int index) {
      return opened.get(index);
    }

    int calls(String method) {
      AtomicInteger n = calls.get(method);
      return n == null ? 0 : n.get();
    }

    private Session countingSession(Session session) {
      return proxy(Session.class, (proxy, method, args) -> {
        if (method.getReturnType() == CompletableFuture.class) {
          calls.computeIfAbsent(method.getName(), name -> new AtomicInteger()).incrementAndGet();
        }
        return invoke(session, method, args);
      });
    }

    private static <T> T proxy(Class<T> type, InvocationHandler handler) {
      return type.cast(Proxy.newProxyInstance(type.getClassLoader(), new Class<?>[] {type}, handler));
    }

    private static Object invoke(Object target, Method method, Object[] args) throws Throwable {
      try {
        return method.invoke(target, args);
      } catch (InvocationTargetException e) {
        throw e.getCause();
      }
    }
  }

  /**
   * A started client whose scheduler counts every delay it is given and runs the task at once; the
   * first backoff is when the service comes back (deterministic, no waiting). Delays longer than
   * the policy's 20 ms are not backoffs but the client's cut-off timer (a session timeout): run at
   * once, it finds the clock unmoved and does nothing, and it is not counted.
   */
  private Cohort clientReconnectedAtItsFirstBackoff(AtomicInteger delays) {
    Cohort[] holder = new Cohort[1];
    Cohort client = newClient(Cohort.builder(fixture.backend()).scheduler((delay, task) -> {
      if (delay.compareTo(Duration.ofMillis(20)) > 0) {
        pool.execute(task);
        return;
      }
      if (delays.incrementAndGet() == 1) {
        fixture.reconnect(holder[0].session());
      }
      pool.execute(task);
    }));
    holder[0] = client;
    return client;
  }

  /**
   * A scheduler that runs every task at once and counts the retry policy's backoffs (at most 20 ms
   * in this suite), not the bound on waiting out a suspension, which it also runs at once.
   */
  private DelayScheduler countingPolicyBackoffs(AtomicInteger delays) {
    return (delay, task) -> {
      if (delay.compareTo(Duration.ofMillis(20)) <= 0) {
        delays.incrementAndGet();
      }
      pool.execute(task);
    };
  }

  private static byte[] bytes(String text) {
    return text.getBytes(StandardCharsets.UTF_8);
  }

  private static String text(byte[] data) {
    return new String(data, StandardCharsets.UTF_8);
  }

  @Test
  void invalidNamespaceIsRefusedBeforeAnySessionOpens() {
    Cohort.Builder builder = Cohort.builder(fixture.backend());
    assertThrows(InvalidPathException.class, () -> builder.namespace("no-slash"));
    assertThrows(InvalidPathException.class, () -> builder.namespace("/trailing/"));
    assertEquals(List.of(), childrenOf("/"), "a refused namespace must create nothing");
  }

  @Test
  void protectedCreateRefusesANonSequentialModeAndCreatesNothing() {
    Cohort client = newClient();
    assertThrows(IllegalArgumentException.class,
        () -> client.async().createProtected("/p", "n-", new byte[0], CreateMode.EPHEMERAL));
    assertFalse(exists("/p"));
  }

  @Test
  void protectedCreateCarriesAClientChosenIdAndTheCreationZxid() throws InterruptedException {
    Cohort client = newClient();
    OwnedNode node = client.blocking().createProtected("/p", "n-", new byte[0], CreateMode.EPHEMERAL_SEQUENTIAL);
    assertTrue(NodeNames.isProtected(node.name()), node.name());
    assertEquals(client.sessionId(), node.sessionId());
    assertEquals(client.blocking().exists(node.path(), null).czxid(), node.czxid());
  }

  @Test
  void protectedCreateFindsItsOwnNodeAfterALostReplyInsteadOfLeakingOne() throws InterruptedException {
    requireFaults(FaultControl.LOSE_REPLY);
    Cohort client = newClient();
    client.blocking().createWithParents("/p", new byte[0], CreateMode.PERSISTENT);
    fixture.loseNextReply(client.session());
    OwnedNode node = client.blocking().createProtected("/p", "n-", new byte[0], CreateMode.EPHEMERAL_SEQUENTIAL);
    assertEquals(List.of(node.name()), childrenOf("/p"), "exactly our one node, found again after the lost reply");
    assertEquals(client.sessionId(), client.blocking().exists(node.path(), null).ephemeralOwner());
  }

  @Test
  void disconnectIsSuspendedAndReconnectWithinTheTimeoutIsReconnected() {
    requireFaults(FaultControl.DISCONNECT, FaultControl.VIRTUAL_TIME);
    Cohort client = newClient();
    List<ConnectionState> seen = new CopyOnWriteArrayList<>();
    client.addConnectionStateListener((c, s) -> seen.add(s));
    long sessionId = client.sessionId();
    fixture.disconnect(client.session());
    await().until(() -> client.connectionState() == ConnectionState.SUSPENDED);
    fixture.advanceTime(SESSION_TIMEOUT.dividedBy(2));
    fixture.reconnect(client.session());
    await().until(() -> seen.equals(List.of(ConnectionState.SUSPENDED, ConnectionState.RECONNECTED)));
    assertEquals(sessionId, client.sessionId(), "the same session came back");
  }

  @Test
  void sessionExpiryIsLostAndTheClientOpensANewSessionByItself() {
    requireFaults(FaultControl.EXPIRE);
    Cohort client = newClient();
    List<ConnectionState> seen = new CopyOnWriteArrayList<>();
    List<String> threads = new CopyOnWriteArrayList<>();
    client.addConnectionStateListener((c, s) -> {
      seen.add(s);
      threads.add(Thread.currentThread().getName());
    });
    long first = client.sessionId();
    fixture.expire(client.session());
    await().until(() -> seen.contains(ConnectionState.RECONNECTED));
    // A real server may drop the connection before it expires the session: SUSPENDED may come
    // first, and nothing else may.
    List<ConnectionState> afterSuspended =
        seen.get(0) == ConnectionState.SUSPENDED ? seen.subList(1, seen.size()) : seen;
    assertEquals(List.of(ConnectionState.LOST, ConnectionState.RECONNECTED), afterSuspended,
        "LOST then RECONNECTED, after at most one leading SUSPENDED: " + seen);
    assertNotEquals(first, client.sessionId());
    assertEquals(ConnectionState.RECONNECTED, client.connectionState());
    assertTrue(threads.stream().allMatch(n -> n.startsWith("cohort-listener")),
        "listeners run on the client's listener executor, not on backend threads: " + threads);
  }

  @Test
  void operationsIssuedWhileSuspendedAreRetriedOnceTheConnectionReturns() throws Exception {
    requireFaults(FaultControl.DISCONNECT);
    AtomicInteger delays = new AtomicInteger();
    Cohort client = clientReconnectedAtItsFirstBackoff(delays);
    client.blocking().createWithParents("/r", "v".getBytes(StandardCharsets.UTF_8), CreateMode.PERSISTENT);
    fixture.disconnect(client.session());
    byte[] data = client.async().getData("/r", null).get().data();
    assertEquals("v", new String(data, StandardCharsets.UTF_8));
    assertEquals(1, delays.get(), "one backoff, then success");
  }

  @Test
  void retriesStopWhenThePolicyGivesUpAndTheErrorIsConnectionLoss() {
    requireFaults(FaultControl.DISCONNECT);
    AtomicInteger delays = new AtomicInteger();
    Cohort client = newClient(Cohort.builder(fixture.backend()).scheduler(countingPolicyBackoffs(delays)));
    fixture.disconnect(client.session());
    ExecutionException e = assertThrows(ExecutionException.class, () -> client.async().exists("/x", null).get());
    assertTrue(e.getCause() instanceof ConnectionLossException, e.getCause().toString());
    assertEquals(20, delays.get(), "the suite's policy allows 20 retries");
  }

  @Test
  void guaranteedDeleteKeepsTryingUntilTheConnectionReturns() throws Exception {
    requireFaults(FaultControl.DISCONNECT);
    Cohort client = newClient();
    client.blocking().createWithParents("/g", new byte[0], CreateMode.PERSISTENT);
    fixture.disconnect(client.session());
    CompletableFuture<Boolean> deleted = client.async().deleteGuaranteed("/g", -1);
    await().during(Duration.ofMillis(50)).until(() -> !deleted.isDone());
    assertTrue(exists("/g"));
    fixture.reconnect(client.session());
    assertTrue(deleted.get());
    assertFalse(exists("/g"));
  }

  @Test
  void deleteIfOwnedSendsNothingForANodeOfAnEndedSession() throws Exception {
    requireFaults(FaultControl.EXPIRE);
    Cohort client = newClient();
    OwnedNode old = client.blocking().createProtected("/o", "n-", new byte[0], CreateMode.EPHEMERAL_SEQUENTIAL);
    fixture.expire(client.session());
    await().until(() -> client.connectionState() == ConnectionState.RECONNECTED);
    OwnedNode fresh = client.blocking().createProtected("/o", "n-", new byte[0], CreateMode.EPHEMERAL_SEQUENTIAL);
    assertFalse(client.async().deleteIfOwned(old).get(), "the old node went with its session");
    assertEquals(List.of(fresh.name()), childrenOf("/o"), "the current node is untouched");
    assertTrue(client.async().deleteIfOwned(fresh).get());
    assertEquals(List.of(), childrenOf("/o"));
  }

  @Test
  void anOperationWhoseSessionExpiredFailsWithSessionExpiredAndIsNotRetriedFurther() {
    requireFaults(FaultControl.DISCONNECT, FaultControl.EXPIRE, FaultControl.VIRTUAL_TIME);
    AtomicInteger delays = new AtomicInteger();
    Cohort[] holder = new Cohort[1];
    Cohort client = newClient(Cohort.builder(fixture.backend()).scheduler((d, t) -> {
      if (d.compareTo(SESSION_TIMEOUT.dividedBy(2)) >= 0) {
        pool.execute(t); // not a retry: the client's cut-off timer, which finds the clock unmoved
        return;
      }
      if (delays.incrementAndGet() == 1) {
        // the service expired the session while it was cut off; it learns so on reconnect
        fixture.expire(holder[0].session());
        fixture.reconnect(holder[0].session());
      }
      pool.execute(t);
    }));
    holder[0] = client;
    long first = client.sessionId();
    fixture.disconnect(client.session());
    ExecutionException e = assertThrows(ExecutionException.class, () -> client.async().exists("/x", null).get());
    assertTrue(e.getCause() instanceof SessionExpiredException, e.getCause().toString());
    assertEquals(1, delays.get(), "no retry after the session expired");
    await().until(() -> client.connectionState() == ConnectionState.RECONNECTED && client.sessionId() != first);
  }

  @Test
  void startTwiceIsRefusedAndKeepsTheFirstSession() {
    Cohort client = newClient();
    long id = client.sessionId();
    assertThrows(IllegalStateException.class, client::start);
    assertEquals(id, client.sessionId());
    assertEquals(ConnectionState.CONNECTED, client.connectionState());
  }

  /** Every operation of the client, asynchronous and blocking, called once. */
  private static List<org.junit.jupiter.api.function.Executable> everyOperation(Cohort client) {
    AsyncOps a = client.async();
    BlockingOps b = client.blocking();
    byte[] none = new byte[0];
    return List.of(
        () -> a.create("/x", none, CreateMode.PERSISTENT),
        () -> a.createWithParents("/x/y", none, CreateMode.PERSISTENT),
        () -> a.createProtected("/p", "n-", none, CreateMode.EPHEMERAL_SEQUENTIAL),
        () -> a.delete("/x", -1),
        () -> a.deleteGuaranteed("/x", -1),
        () -> a.exists("/x", null),
        () -> a.getData("/x", null),
        () -> a.setData("/x", none, -1),
        () -> a.getChildren("/", null),
        () -> a.sync("/"),
        () -> a.multi(List.of(Op.check("/x", -1))),
        () -> a.addWatch("/x", dev.cohort.spi.WatchMode.PERSISTENT, e -> { }),
        () -> b.create("/x", none, CreateMode.PERSISTENT),
        () -> b.createWithParents("/x/y", none, CreateMode.PERSISTENT),
        () -> b.createProtected("/p", "n-", none, CreateMode.EPHEMERAL_SEQUENTIAL),
        () -> b.delete("/x", -1),
        () -> b.exists("/x", null),
        () -> b.getData("/x", null),
        () -> b.setData("/x", none, -1),
        () -> b.getChildren("/", null),
        () -> b.sync("/"),
        () -> b.multi(List.of(Op.check("/x", -1))));
  }

  @Test
  void everyOperationOnAClientNeverStartedFailsAtOnceSayingToStartIt() throws Throwable {
    Cohort client = Cohort.builder(fixture.backend()).namespace(NAMESPACE).build();
    try {
      List<org.junit.jupiter.api.function.Executable> ops = everyOperation(client);
      for (int i = 0; i < ops.size(); i++) {
        IllegalStateException e = assertThrows(IllegalStateException.class, ops.get(i), "operation " + i);
        assertTrue(e.getMessage().contains("start()"), "operation " + i + ": " + e.getMessage());
      }
      IllegalStateException e = assertThrows(IllegalStateException.class,
          () -> client.async().removeWatches("/x", event -> { }));
      assertTrue(e.getMessage().contains("start()"), e.getMessage());
    } finally {
      client.close();
    }
  }

  @Test
  void everyOperationOnAClosedClientFailsAtOnceSayingItIsClosed() throws Throwable {
    Cohort client = newClient();
    OwnedNode node = client.blocking().createProtected("/o", "n-", new byte[0], CreateMode.EPHEMERAL_SEQUENTIAL);
    client.close();
    List<org.junit.jupiter.api.function.Executable> ops = everyOperation(client);
    for (int i = 0; i < ops.size(); i++) {
      IllegalStateException e = assertThrows(IllegalStateException.class, ops.get(i), "operation " + i);
      assertTrue(e.getMessage().contains("closed"), "operation " + i + ": " + e.getMessage());
    }
    assertFalse(client.async().deleteIfOwned(node).get(), "what it owned went with the closed session");
    assertFalse(client.blocking().deleteIfOwned(node), "releasing after close stays quiet");
    assertNull(client.async().removeWatches("/x", event -> { }).get(),
        "the closed session's watches went with it: removing one after close is quiet cleanup");
    assertFalse(exists("/x"), "nothing was created");
  }
}
