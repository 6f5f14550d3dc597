package dev.cohort.tck;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.cohort.spi.Children;
import dev.cohort.spi.CoordinationException;
import dev.cohort.spi.CreateMode;
import dev.cohort.spi.Created;
import dev.cohort.spi.ErrorCode;
import dev.cohort.spi.NodeData;
import dev.cohort.spi.Paths;
import dev.cohort.spi.Session;
import dev.cohort.spi.SessionState;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.awaitility.Awaitility;
import org.awaitility.core.ConditionFactory;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;

/**
 * The base of every conformance suite: one fresh {@link BackendFixture} per test, helpers that wait
 * for futures with a bounded timeout and unwrap their typed failures, and an invariant check after
 * every test.
 *
 * <p>A backend runs a suite by subclassing it and implementing {@link #newFixture()}:
 *
 * <pre>{@code
 * class InMemoryCrudTest extends CrudConformance {
 *   @Override protected BackendFixture newFixture() { return new InMemoryFixture(); }
 * }
 * }</pre>
 *
 * <h2>The invariant checked after every test</h2>
 * Once the test body is done, every session it opened through {@link #open()} is ended (a suspended
 * one is reconnected first, when the fixture can), and a fresh session walks the whole tree outside
 * {@code /zookeeper}. The walk fails the test if any node is still owned by one of those ended
 * sessions (nothing may be left over from a closed or expired session), if a node's {@code
 * numChildren} or {@code dataLength} disagrees with what the same read returned, if an ephemeral node
 * has children, or if a node's {@code mzxid}/{@code pzxid} precede its {@code czxid}.
 *
 * <p>All waiting is bounded by {@link #TIMEOUT} (system property {@code cohort.tck.timeoutSeconds},
 * default 10); nothing sleeps, and nothing asserts on speed.
 */
public abstract class ConformanceSuite {

  /** The bound on every wait of the suite. */
  protected static final Duration TIMEOUT =
      Duration.ofSeconds(Long.getLong("cohort.tck.timeoutSeconds", 10));

  /** The fixture of the current test. */
  protected BackendFixture fixture;

  private final List<Session> sessions = new CopyOnWriteArrayList<>();
  private Session observer;
  private boolean backendClosed;

  /** A fresh fixture over a fresh backend: called once before each test. */
  protected abstract BackendFixture newFixture();

  @BeforeEach
  protected final void startFixture() {
    fixture = Objects.requireNonNull(newFixture(), "newFixture() returned null");
  }

  @AfterEach
  protected final void checkInvariantsAndCloseFixture() {
    if (fixture == null) {
      return;
    }
    try {
      if (!backendClosed) {
        List<Long> ended = endSessions();
        checkTreeInvariants(ended);
        observer().close();
      }
    } finally {
      fixture.close();
    }
  }

  // ---------------------------------------------------------------- sessions

  /** Opens a session with the default timeout; it is ended and checked after the test. */
  protected final Session open() {
    return track(fixture.openSession());
  }

  /** Opens a session asking for {@code sessionTimeout}; it is ended and checked after the test. */
  protected final Session open(Duration sessionTimeout) {
    return track(fixture.openSession(sessionTimeout));
  }

  private Session track(Session session) {
    sessions.add(session);
    return session;
  }

  /**
   * A session that only reads, for looking at the tree from outside the sessions a test is about.
   * It is opened on first use.
   */
  protected final Session observer() {
    if (observer == null) {
      observer = open();
    }
    return observer;
  }

  /** Closes the backend under test; the after-test tree walk is skipped, as nothing can read it. */
  protected final void closeBackend() {
    backendClosed = true;
    fixture.backend().close();
  }

  /** Waits (bounded) until {@code session} is in {@code state}. */
  protected final void awaitState(Session session, SessionState state) {
    waitFor().untilAsserted(() -> assertEquals(state, session.state(), "state of session " + session.id()));
  }

  // ---------------------------------------------------------------- futures

  /** Awaitility, set up with the suite's bound and a short poll interval. */
  protected static ConditionFactory waitFor() {
    return Awaitility.await()
        .atMost(TIMEOUT)
        .pollDelay(Duration.ZERO)
        .pollInterval(Duration.ofMillis(5))
        .ignoreExceptions();
  }

  /** The value of {@code future}, waiting at most {@link #TIMEOUT}; fails the test on any failure. */
  protected static <T> T get(Future<T> future) {
    try {
      return future.get(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
    } catch (ExecutionException e) {
      throw new AssertionError("operation failed: " + e.getCause(), e.getCause());
    } catch (TimeoutException e) {
      throw new AssertionError("operation did not complete within " + TIMEOUT, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError("interrupted", e);
    }
  }

  /** The typed failure of {@code future}; fails the test if it succeeds or fails otherwise. */
  protected static CoordinationException failure(Future<?> future) {
    Object value;
    try {
      value = future.get(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
    } catch (ExecutionException e) {
      Throwable cause = e.getCause();
      while (cause instanceof CompletionException && cause.getCause() != null) {
        cause = cause.getCause();
      }
      return assertInstanceOf(CoordinationException.class, cause, "failure must be a CoordinationException");
    } catch (TimeoutException e) {
      throw new AssertionError("operation did not complete within " + TIMEOUT, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError("interrupted", e);
    }
    return fail("expected the operation to fail, but it completed with " + value);
  }

  /** Asserts that {@code future} fails with {@code code} (and the matching exception class). */
  protected static CoordinationException assertFails(ErrorCode code, Future<?> future) {
    CoordinationException e = failure(future);
    assertEquals(code, e.code(), () -> "wrong error: " + e);
    assertEquals(CoordinationException.of(code, null).getClass(), e.getClass(), "exception class matches its code");
    return e;
  }

  // ---------------------------------------------------------------- tree helpers

  /** UTF-8 bytes of {@code text}. */
  protected static byte[] bytes(String text) {
    return text.getBytes(StandardCharsets.UTF_8);
  }

  /** {@code data} decoded as UTF-8. */
  protected static String text(byte[] data) {
    return new String(data, StandardCharsets.UTF_8);
  }

  /** Creates a persistent node with {@code data} and waits for it. */
  protected static Created create(Session session, String path, String data) {
    return get(session.create(path, bytes(data), CreateMode.PERSISTENT));
  }

  /** Creates a node and waits for it. */
  protected static Created create(Session session, String path, String data, CreateMode mode) {
    return get(session.create(path, bytes(data), mode));
  }

  /** The data of {@code path} as UTF-8, as {@code session} reads it. */
  protected static String read(Session session, String path) {
    return text(get(session.getData(path)).data());
  }

  /**
   * Brings {@code session} up to date and reads each of {@code paths}. The SPI delivers a watch event
   * before any result that shows its change, so once this returns, every event triggered by a write
   * to those paths (or their children) that completed before the call has been delivered.
   */
  protected static void settle(Session session, String... paths) {
    get(session.sync(paths.length == 0 ? Paths.ROOT : paths[0]));
    for (String path : paths) {
      get(session.exists(path));
    }
    get(session.exists(Paths.ROOT));
  }

  /** Every node outside {@code /zookeeper}, read by the {@linkplain #observer() observer} after a sync. */
  protected final TreeSnapshot snapshot() {
    Session reader = observer();
    get(reader.sync(Paths.ROOT));
    SortedMap<String, NodeData> nodes = new TreeMap<>();
    walk(reader, Paths.ROOT, (path, data, children) -> nodes.put(path, data));
    return new TreeSnapshot(nodes);
  }

  /** Visits one node of a {@linkplain #walk walk}. */
  @FunctionalInterface
  protected interface NodeVisitor {
    void visit(String path, NodeData data, Children children);
  }

  /**
   * Visits {@code path} and its descendants, skipping {@code /zookeeper}; nodes that vanish during
   * the walk (a background removal) are skipped.
   */
  protected static void walk(Session session, String path, NodeVisitor visitor) {
    if (path.equals(Paths.RESERVED)) {
      return;
    }
    NodeData data;
    Children children;
    try {
      data = session.getData(path).get(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
      children = session.getChildren(path).get(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
    } catch (ExecutionException e) {
      if (e.getCause() instanceof CoordinationException c && c.code() == ErrorCode.NO_NODE) {
        return;
      }
      throw new AssertionError("walk failed at " + path, e.getCause());
    } catch (TimeoutException | InterruptedException e) {
      throw new AssertionError("walk did not complete at " + path, e);
    }
    visitor.visit(path, data, children);
    for (String name : children.names().stream().sorted().toList()) {
      walk(session, Paths.join(path, name), visitor);
    }
  }

  // ---------------------------------------------------------------- after each test

  private List<Long> endSessions() {
    List<Long> ended = new ArrayList<>();
    for (Session session : sessions) {
      if (session == observer) {
        continue;
      }
      ended.add(session.id());
      if (session.state() == SessionState.SUSPENDED && fixture.supports(FaultControl.DISCONNECT)) {
        fixture.reconnect(session);
        waitFor().until(() -> session.state() != SessionState.SUSPENDED);
      }
      session.close();
    }
    return ended;
  }

  private void checkTreeInvariants(List<Long> endedSessionIds) {
    Session reader = observer();
    get(reader.sync(Paths.ROOT));
    List<String> problems = new ArrayList<>();
    walk(reader, Paths.ROOT, (path, data, children) -> {
      var stat = data.stat();
      if (endedSessionIds.contains(stat.ephemeralOwner())) {
        problems.add(path + " is still owned by ended session " + stat.ephemeralOwner());
      }
      if (children.names().size() != children.stat().numChildren()) {
        problems.add(path + " lists " + children.names().size() + " children but numChildren is "
            + children.stat().numChildren());
      }
      if (data.data().length != stat.dataLength()) {
        problems.add(path + " has " + data.data().length + " bytes but dataLength " + stat.dataLength());
      }
      if (stat.isEphemeral() && !children.names().isEmpty()) {
        problems.add(path + " is ephemeral yet has children " + children.names());
      }
      if (!path.equals(Paths.ROOT) && (stat.mzxid() < stat.czxid() || stat.pzxid() < stat.czxid())) {
        problems.add(path + " has a zxid older than its creation: " + stat);
      }
    });
    assertTrue(problems.isEmpty(), () -> "tree invariants broken after the test:\n  " + String.join("\n  ", problems));
  }
}
