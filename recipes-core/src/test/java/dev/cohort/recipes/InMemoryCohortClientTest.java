package dev.cohort.recipes;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cohort.inmemory.InMemoryBackend;
import dev.cohort.inmemory.InMemoryFixture;
import dev.cohort.inmemory.ManualTimeSource;
import dev.cohort.spi.CreateMode;
import dev.cohort.spi.NodeData;
import dev.cohort.spi.Session;
import dev.cohort.spi.SessionState;
import dev.cohort.tck.BackendFixture;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.PriorityQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** The client suite on the in-memory backend, plus tests that need its virtual clock. */
class InMemoryCohortClientTest extends CohortClientSuite {
  @Override
  protected BackendFixture newFixture() {
    return new InMemoryFixture();
  }

  /** Tasks run by hand in due order; running one moves the shared virtual clock to its due time. */
  private static final class VirtualScheduler implements DelayScheduler {
    private record Task(long due, long seq, Runnable body) {}

    private final ManualTimeSource clock;
    private final PriorityQueue<Task> tasks = new PriorityQueue<>(
        (a, b) -> a.due != b.due ? Long.compare(a.due, b.due) : Long.compare(a.seq, b.seq));
    private long seq;

    VirtualScheduler(ManualTimeSource clock) {
      this.clock = clock;
    }

    @Override
    public synchronized void schedule(Duration delay, Runnable task) {
      tasks.add(new Task(clock.nanoTime() + delay.toNanos(), seq++, task));
    }

    synchronized int pending() {
      return tasks.size();
    }

    /** Runs every task due no later than {@code until}; true if none is left before it. */
    boolean runUntil(long until) {
      while (true) {
        Task next;
        synchronized (this) {
          next = tasks.peek();
          if (next == null || next.due > until) {
            return true;
          }
          tasks.poll();
        }
        if (next.due > clock.nanoTime()) {
          clock.advance(Duration.ofNanos(next.due - clock.nanoTime()));
        }
        next.body.run();
      }
    }
  }

  @Test
  void aRetryDueWhileSuspendedWaitsForTheReconnectInsteadOfSpendingTheBudgetOnRefusals() throws Exception {
    ManualTimeSource clock = new ManualTimeSource();
    VirtualScheduler scheduler = new VirtualScheduler(clock);
    // Three retries of at most 20 ms: the whole budget is spent within 60 ms of virtual time.
    RetryPolicy policy = new ExponentialBackoff(Duration.ofMillis(1), Duration.ofMillis(20), 3, Duration.ofSeconds(30));
    try (InMemoryBackend backend = InMemoryBackend.builder().timeSource(clock).build();
        Cohort client = Cohort.builder(backend).timeSource(clock).scheduler(scheduler).retryPolicy(policy)
            .sessionTimeout(Duration.ofSeconds(10)).build()) {
      client.start();
      client.blocking().createWithParents("/r", "v".getBytes(StandardCharsets.UTF_8), CreateMode.PERSISTENT);
      backend.faults().disconnect(client.session());
      await().until(() -> client.connectionState() == ConnectionState.SUSPENDED);

      CompletableFuture<NodeData> read = client.async().getData("/r", null);
      long reconnectAt = clock.nanoTime() + Duration.ofSeconds(1).toNanos();
      // Let a second of virtual time pass, far more than the budget's 60 ms, running every retry due.
      // Two tasks stay: the retry's hand-over at the session timeout, and the client's cut-off timer.
      await().until(() -> scheduler.runUntil(reconnectAt) && (read.isDone() || scheduler.pending() == 2));
      clock.advance(Duration.ofNanos(reconnectAt - clock.nanoTime()));
      assertFalse(read.isDone(), "no retry budget spent on refusals while suspended: " + read);

      backend.faults().reconnect(client.session());
      assertEquals("v", new String(read.get(30, TimeUnit.SECONDS).data(), StandardCharsets.UTF_8));
      assertTrue(client.session().state().isConnected());
    }
  }

  @Test
  void aSessionCutOffForItsWholeTimeoutIsReportedLostWithoutReconnectingAndReplaced() throws Exception {
    ManualTimeSource clock = new ManualTimeSource();
    Duration timeout = Duration.ofSeconds(10);
    try (InMemoryBackend backend = InMemoryBackend.builder().timeSource(clock).build();
        Cohort client = Cohort.builder(backend).timeSource(clock).sessionTimeout(timeout).build()) {
      client.start();
      List<ConnectionState> seen = new CopyOnWriteArrayList<>();
      client.addConnectionStateListener((c, s) -> seen.add(s));
      Session first = client.session();
      assertEquals(timeout, first.sessionTimeout(), "the backend granted what was asked");

      // Cut off, then back within the timeout: the same session, and the timer is gone with the SUSPENDED.
      backend.faults().disconnect(first);
      await().until(() -> client.connectionState() == ConnectionState.SUSPENDED);
      clock.advance(timeout.minusSeconds(1));
      backend.faults().reconnect(first);
      await().until(() -> client.connectionState() == ConnectionState.RECONNECTED);
      clock.advance(timeout.multipliedBy(3));
      assertEquals(ConnectionState.RECONNECTED, client.connectionState(), "a connected session is never timed out");
      assertEquals(first.id(), client.sessionId());

      // Cut off again: the timeout counts from this SUSPENDED, and LOST comes without any reconnect.
      backend.faults().disconnect(first);
      await().until(() -> client.connectionState() == ConnectionState.SUSPENDED);
      clock.advance(timeout.minusMillis(1));
      assertEquals(ConnectionState.SUSPENDED, client.connectionState(), "not LOST before the timeout");
      assertTrue(client.isLiveSession(first.id()), "the session may still be alive on the service");
      clock.advance(Duration.ofMillis(1));
      // LOST at once; the in-memory backend opens the new session at once too, so RECONNECTED may follow.
      assertNotEquals(ConnectionState.SUSPENDED, client.connectionState(), "LOST the instant the timeout passes");
      assertFalse(client.isLiveSession(first.id()), "over for the client at once");

      await().until(() -> client.connectionState() == ConnectionState.RECONNECTED);
      assertNotEquals(first.id(), client.sessionId(), "a new session replaces the abandoned one");
      await().until(() -> seen.equals(List.of(ConnectionState.SUSPENDED, ConnectionState.RECONNECTED,
          ConnectionState.SUSPENDED, ConnectionState.LOST, ConnectionState.RECONNECTED)));
      await().until(() -> first.state() == SessionState.CLOSED);
      backend.faults().reconnect(first); // never used again, even if the link comes back
      assertEquals(SessionState.CLOSED, first.state());
      assertEquals(ConnectionState.RECONNECTED, client.connectionState());
      client.blocking().create("/after", new byte[0], CreateMode.EPHEMERAL);
      assertEquals(client.sessionId(), client.blocking().exists("/after", null).ephemeralOwner());
    }
  }

  @Test
  void awaitConnectedGivesUpAtItsDeadlineOnVirtualTime() throws Exception {
    ManualTimeSource clock = new ManualTimeSource();
    try (InMemoryBackend backend = InMemoryBackend.builder().timeSource(clock).build();
        Cohort client = Cohort.builder(backend).timeSource(clock).sessionTimeout(Duration.ofSeconds(30)).build()) {
      client.start();
      backend.faults().disconnect(client.session());
      await().until(() -> client.connectionState() == ConnectionState.SUSPENDED);
      CompletableFuture<Boolean> connected = new CompletableFuture<>();
      Thread waiter = new Thread(() -> {
        try {
          connected.complete(client.awaitConnected(Duration.ofSeconds(20)));
        } catch (Throwable t) {
          connected.completeExceptionally(t);
        }
      });
      waiter.start();
      await().until(() -> waiter.getState() == Thread.State.WAITING || waiter.getState() == Thread.State.TIMED_WAITING);
      clock.advance(Duration.ofSeconds(19));
      assertFalse(connected.isDone(), "the deadline has not passed");
      clock.advance(Duration.ofSeconds(1));
      // 20 s of virtual time passed, still cut off (the session's 30 s are not over): false, at once
      // rather than after 20 s of real time.
      assertFalse(connected.get(10, TimeUnit.SECONDS));
      assertEquals(ConnectionState.SUSPENDED, client.connectionState());
    }
  }

  @Test
  void startGivesUpAtItsConnectTimeoutOnVirtualTimeAndClosesASessionThatOpensLate() throws Exception {
    ManualTimeSource clock = new ManualTimeSource();
    try (InMemoryBackend backend = InMemoryBackend.builder().timeSource(clock).build()) {
      CompletableFuture<Session> late = new CompletableFuture<>();
      dev.cohort.spi.CoordinationBackend neverAnswers = new dev.cohort.spi.CoordinationBackend() {
        @Override
        public CompletableFuture<Session> openSession(dev.cohort.spi.SessionConfig config) {
          return late;
        }

        @Override
        public java.util.Set<dev.cohort.spi.Capability> capabilities() {
          return backend.capabilities();
        }

        @Override
        public String name() {
          return "never-answers";
        }

        @Override
        public void close() {}
      };
      try (Cohort client = Cohort.builder(neverAnswers).timeSource(clock).connectTimeout(Duration.ofSeconds(15)).build()) {
        CompletableFuture<Void> started = new CompletableFuture<>();
        Thread starter = new Thread(() -> {
          try {
            client.start();
            started.complete(null);
          } catch (Throwable t) {
            started.completeExceptionally(t);
          }
        });
        starter.setDaemon(true);
        starter.start();
        await().until(() -> starter.getState() == Thread.State.TIMED_WAITING);
        clock.advance(Duration.ofSeconds(15).minusMillis(1));
        assertFalse(started.isDone(), "the connect timeout has not passed");
        clock.advance(Duration.ofMillis(1));
        java.util.concurrent.ExecutionException e = org.junit.jupiter.api.Assertions.assertThrows(
            java.util.concurrent.ExecutionException.class, () -> started.get(10, TimeUnit.SECONDS));
        assertTrue(e.getCause() instanceof dev.cohort.spi.ConnectionLossException, e.getCause().toString());

        Session opened = backend.openSession().get(10, TimeUnit.SECONDS);
        late.complete(opened); // the service answers after all: nobody will use that session
        await().until(() -> opened.state() == SessionState.CLOSED);
      }
    }
  }

  @Test
  void anAbandonedSessionThatReconnectsAfterAllIsNeverUsedAgain() throws Exception {
    ManualTimeSource serviceClock = new ManualTimeSource();
    ManualTimeSource clientClock = new ManualTimeSource(); // the service never sees this one pass
    List<Session> opened = new CopyOnWriteArrayList<>();
    List<Session> closesIgnored = new CopyOnWriteArrayList<>();
    ClassLoader loader = getClass().getClassLoader();
    try (InMemoryBackend backend = InMemoryBackend.builder().timeSource(serviceClock).build()) {
      // Sessions whose close() the client cannot carry out, as when the service is unreachable.
      dev.cohort.spi.CoordinationBackend unclosable = (dev.cohort.spi.CoordinationBackend) java.lang.reflect.Proxy.newProxyInstance(
          loader, new Class<?>[] {dev.cohort.spi.CoordinationBackend.class}, (proxy, method, args) -> {
            Object result = method.invoke(backend, args);
            if (!method.getName().equals("openSession")) {
              return result;
            }
            return ((CompletableFuture<?>) result).thenApply(o -> {
              Session real = (Session) o;
              opened.add(real);
              return (Session) java.lang.reflect.Proxy.newProxyInstance(loader, new Class<?>[] {Session.class}, (p, m, a) -> {
                if (m.getName().equals("close")) {
                  closesIgnored.add(real);
                  return null;
                }
                try {
                  return m.invoke(real, a);
                } catch (java.lang.reflect.InvocationTargetException e) {
                  throw e.getCause();
                }
              });
            });
          });
      try (Cohort client = Cohort.builder(unclosable).timeSource(clientClock).sessionTimeout(Duration.ofSeconds(10)).build()) {
        client.start();
        Session first = opened.get(0);
        backend.faults().disconnect(first);
        await().until(() -> client.connectionState() == ConnectionState.SUSPENDED);
        clientClock.advance(Duration.ofSeconds(10));
        await().until(() -> client.connectionState() == ConnectionState.RECONNECTED && client.sessionId() != first.id());
        await().until(() -> closesIgnored.equals(List.of(first)));
        long second = client.sessionId();

        backend.faults().reconnect(first); // the service still had it: the link comes back
        assertEquals(SessionState.RECONNECTED, first.state());
        assertEquals(second, client.sessionId(), "the abandoned session is not taken back");
        assertEquals(ConnectionState.RECONNECTED, client.connectionState());
        assertFalse(client.isLiveSession(first.id()));
        client.blocking().create("/e", new byte[0], CreateMode.EPHEMERAL);
        assertEquals(second, client.blocking().exists("/e", null).ephemeralOwner(), "operations use the new session");
      }
      opened.get(0).close(); // the test's to close, since the client could not
    }
  }

  @Test
  void anOperationWaitingForItsSessionToReturnFailsWhenTheClientIsClosed() throws Exception {
    try (InMemoryBackend backend = InMemoryBackend.builder().build()) {
      Cohort client = Cohort.builder(backend).sessionTimeout(Duration.ofSeconds(30)).build();
      client.start();
      backend.faults().disconnect(client.session());
      await().atMost(Duration.ofSeconds(10)).until(() -> client.connectionState() == ConnectionState.SUSPENDED);
      CompletableFuture<?> pending = client.async().getChildren("/", null);

      client.close();

      await().atMost(Duration.ofSeconds(10)).until(pending::isDone);
      assertTrue(pending.isCompletedExceptionally(), "an operation cut short by close must fail, not succeed");
    }
  }
}
