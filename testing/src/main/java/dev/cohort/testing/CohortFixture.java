package dev.cohort.testing;

import dev.cohort.inmemory.InMemoryBackend;
import dev.cohort.recipes.Cohort;
import dev.cohort.recipes.ExponentialBackoff;
import dev.cohort.replicated.ReplicatedBackend;
import dev.cohort.spi.CoordinationBackend;
import dev.cohort.spi.Session;
import dev.cohort.spi.SessionConfig;
import dev.cohort.spi.SessionState;
import dev.cohort.spi.TimeSource;
import java.time.Duration;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.OptionalLong;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;
import java.util.function.UnaryOperator;

/**
 * A fresh coordination backend for one test, ready clients on it, and the faults to throw at them:
 * what a test uses instead of starting a ZooKeeper server.
 *
 * <pre>{@code
 * try (CohortFixture fixture = CohortFixture.inMemory()) {
 *   Cohort client = fixture.newClient();
 *   DistributedLock lock = new DistributedLock(client, "/orders");
 *   FencingToken token = lock.acquire();
 *   fixture.disconnect(client);                      // SUSPENDED: ownership may be lost
 *   fixture.advanceTime(Duration.ofSeconds(30));     // the session times out on virtual time
 *   // the lock's node is gone; another client can take it with a larger token
 * }
 * }</pre>
 *
 * <p>The backends ({@link BackendKind}): {@link #inMemory()} (the default; ready in well under a
 * millisecond, session timeouts on a virtual clock), {@link #replicated(int)} (N replicas with real
 * failover), {@link #zookeeper()} (a real server in this JVM) and {@link #etcd()} (a real etcd
 * process on this machine). Which faults each offers is listed
 * in {@link Fault}; a fault a backend cannot produce fails with {@link UnsupportedFaultException}
 * and changes nothing.
 *
 * <p>Clients from {@link #newClient()} are started (connected), retry lost connections quickly and
 * draw their randomness from seeds fixed by the order they were created, so a test that fails
 * fails the same way again. On the in-memory fixture they measure time on its virtual clock, so
 * {@link #advanceTime} drives recipe timeouts as it drives session expiry. Any of them can be
 * {@linkplain #crash crashed} (its process dies: its session is left to expire and it opens no new
 * one) and {@linkplain #restart restarted}. {@link #close()} closes them, the backend, and any
 * server it started.
 *
 * <p>Thread-safe: controls may be called from any thread. A fault control returns once the fault
 * has taken effect at the service; the client learns of it as in production (its state listener
 * runs shortly after, on its own thread). No control blocks for long: one that cannot take effect
 * (an expiry on a replicated backend without a quorum, say) fails at once with a typed exception
 * and changes nothing.
 */
public final class CohortFixture implements AutoCloseable {

  /** The session timeout clients ask for unless told otherwise. */
  public static final Duration DEFAULT_SESSION_TIMEOUT = Duration.ofSeconds(30);
  /** How long a control waits for the service to reach a state (a leader, an expiry). */
  static final Duration CONTROL_TIMEOUT = Duration.ofSeconds(30);

  private final BackendKind kind;
  private final Engine engine;
  /** Runs the clients' delays on the virtual clock and in real time; null off the in-memory backend. */
  private final VirtualTimeScheduler virtualScheduler;
  private final List<Cohort> clients = new ArrayList<>(); // guarded by this
  /** How each client was made, so that it can be crashed and restarted. Guarded by this. */
  private final Map<Cohort, ClientRecord> records = new IdentityHashMap<>();
  private long nextSeed = 1; // guarded by this
  private boolean closed; // guarded by this

  private CohortFixture(BackendKind kind, int replicas) {
    this.kind = Objects.requireNonNull(kind, "kind");
    this.engine = Engines.start(kind, replicas);
    this.virtualScheduler = engine.clientClock().map(VirtualTimeScheduler::new).orElse(null);
  }

  /** A client's own view of the backend and its configuration; {@code restarted} guarded by the fixture. */
  private static final class ClientRecord {
    final ClientBackend backend;
    final UnaryOperator<Cohort.Builder> customizer;
    boolean restarted;

    ClientRecord(ClientBackend backend, UnaryOperator<Cohort.Builder> customizer) {
      this.backend = backend;
      this.customizer = customizer;
    }
  }

  /** An in-memory backend on a virtual clock (see {@link #advanceTime}). */
  public static CohortFixture inMemory() {
    return new CohortFixture(BackendKind.IN_MEMORY, 1);
  }

  /**
   * A replicated backend of {@code replicas} (1, 3, 5 or 7) in this JVM, on real time.
   *
   * @throws IllegalArgumentException for another count
   */
  public static CohortFixture replicated(int replicas) {
    requireReplicaCount(replicas);
    return new CohortFixture(BackendKind.REPLICATED, replicas);
  }

  /**
   * A ZooKeeper server in this JVM on 127.0.0.1, and the ZooKeeper backend connected to it. The
   * first such fixture of a JVM starts the server; later ones share it, each in a namespace (chroot)
   * of its own, so they start in a few milliseconds and never see each other's nodes. Closing the
   * fixture deletes its namespace; the server stops when the JVM exits.
   *
   * @throws IllegalStateException naming the missing artifact if ZooKeeper's jars are not on the
   *     class path (add {@code dev.cohort:testing-zookeeper}; see {@link BackendKind#ZOOKEEPER})
   */
  public static CohortFixture zookeeper() {
    return new CohortFixture(BackendKind.ZOOKEEPER, 1);
  }

  /**
   * A real etcd server on 127.0.0.1, and the etcd backend connected to it. The first such fixture of
   * a JVM starts the {@code etcd} process; later ones share it, each under a key prefix of its own,
   * so they never see each other's nodes. Closing the fixture deletes its keys; the process is
   * killed when the JVM exits. Offers {@link Fault#EXPIRE}, {@link Fault#CRASH} and {@link
   * Fault#DISCONNECT} (for sessions of the fixture's clients and of {@link #openSession()}).
   *
   * @throws IllegalStateException naming the missing artifact if the etcd backend is not on the
   *     class path (add {@code dev.cohort:backend-etcd}), or saying how to install etcd if no
   *     {@code etcd} binary is found (see {@link BackendKind#ETCD})
   */
  public static CohortFixture etcd() {
    return new CohortFixture(BackendKind.ETCD, 1);
  }

  /** A fixture of {@code kind}; {@code replicas} counts only for {@link BackendKind#REPLICATED}. */
  public static CohortFixture of(BackendKind kind, int replicas) {
    return kind == BackendKind.REPLICATED ? replicated(replicas) : new CohortFixture(kind, 1);
  }

  static void requireReplicaCount(int replicas) {
    if (replicas != 1 && replicas != 3 && replicas != 5 && replicas != 7) {
      throw new IllegalArgumentException("replicas must be 1, 3, 5 or 7, got " + replicas);
    }
  }

  /** Which backend this is. */
  public BackendKind kind() {
    return kind;
  }

  /** The backend: open raw sessions on it, or build clients of your own. */
  public CoordinationBackend backend() {
    return engine.backend();
  }

  /**
   * The embedded ZooKeeper server's address with this fixture's namespace as chroot ({@code
   * 127.0.0.1:port/cohort-fixture-N}), so code under test that takes a connect string sees the tree
   * the fixture's clients see; empty for the other fixtures.
   *
   * <pre>{@code
   * String zk = fixture.zookeeperConnectString().orElseThrow();
   * OrderService service = new OrderService(ZooKeeperBackend.connect(zk));
   * }</pre>
   */
  public Optional<String> zookeeperConnectString() {
    return engine.connectString();
  }

  /** The faults this fixture can produce. */
  public Set<Fault> faults() {
    return Engines.faultsOf(kind);
  }

  /** Whether this fixture can produce {@code fault}. */
  public boolean supports(Fault fault) {
    return faults().contains(Objects.requireNonNull(fault, "fault"));
  }

  // ---- clients and sessions ------------------------------------------------------------------

  /** A started client with no namespace and the default session timeout. */
  public Cohort newClient() {
    return newClient(UnaryOperator.identity());
  }

  /**
   * A started client, configured by {@code customizer} on top of the fixture's defaults (session
   * timeout 30 s, quick bounded retries, a seeded random source; on the in-memory fixture, the
   * virtual clock as its {@code timeSource} and a {@code scheduler} whose delays pass in real time
   * or on the virtual clock, whichever comes first, so that a retry a few milliseconds away runs
   * without the test's help and a wait the test advanced past ends at once).
   *
   * <pre>{@code
   * Cohort client = fixture.newClient(b -> b.namespace("/app").sessionTimeout(Duration.ofSeconds(5)));
   * }</pre>
   *
   * <p>The client is built over its own view of {@link #backend()} (its {@code backend()} is that
   * view: same capabilities and name, sessions of the fixture's backend), through which the fixture
   * can {@linkplain #crash crash} it.
   */
  public Cohort newClient(UnaryOperator<Cohort.Builder> customizer) {
    Objects.requireNonNull(customizer, "customizer");
    long seed;
    synchronized (this) {
      requireOpen();
      seed = nextSeed++;
    }
    ClientBackend view = new ClientBackend(engine.clientBackend(), engine::cutOff);
    Cohort.Builder builder = Cohort.builder(view)
        .sessionTimeout(DEFAULT_SESSION_TIMEOUT)
        .retryPolicy(new ExponentialBackoff(Duration.ofMillis(1), Duration.ofMillis(50), 100, Duration.ofSeconds(20)))
        .random(new Random(seed));
    engine.clientClock().ifPresent(clock -> builder.timeSource(clock).scheduler(virtualScheduler));
    Cohort client = customizer.apply(builder).build();
    try {
      client.start();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      client.close();
      throw new IllegalStateException("interrupted while starting a client", e);
    }
    synchronized (this) {
      clients.add(client);
      records.put(client, new ClientRecord(view, customizer));
    }
    return client;
  }

  // ---- crashing a client ---------------------------------------------------------------------

  /**
   * Crashes {@code client}, as if its process died: its session is cut off without being closed, so
   * the service keeps it (with its ephemerals, locks, leaderships and claims) until its timeout
   * passes and then expires it — on the in-memory fixture when the test {@linkplain #advanceTime
   * advances time} past it, on the others in real time. Unlike {@link #disconnect(Cohort)}, the
   * client never opens a new session: a crashed process does not come back by itself. Its calls
   * fail (ConnectionLoss while it is cut off, session-gone errors once it gives the session up); its
   * recipes end their ownership locally as any cut-off client's do. It is crashed once this returns.
   *
   * <p>Bring the process back with {@link #restart(Cohort)}, which gives a new client. Do not close
   * the crashed client yourself: on some backends closing it would end its session at the service
   * at once, which a dead process cannot do. The fixture closes it when the fixture closes.
   *
   * <pre>{@code
   * Cohort worker = fixture.newClient();
   * Job job = WorkQueue.builder(worker, "/jobs").build().take(Duration.ofSeconds(5)).orElseThrow();
   * fixture.crash(worker);                          // mid-job: no complete(), no fail()
   * fixture.advanceTime(Duration.ofSeconds(31));    // in-memory: the session times out
   * Cohort again = fixture.restart(worker);         // the process starts again: a new session
   * }</pre>
   *
   * @throws IllegalArgumentException if {@code client} was not made by this fixture's {@link
   *     #newClient()} (a client built by hand cannot be crashed)
   * @throws IllegalStateException if it is already crashed or is closed
   */
  public void crash(Cohort client) {
    require(Fault.CRASH);
    ClientRecord record = recordOf(client);
    if (client.isClosed()) {
      throw new IllegalStateException("this client is closed: a closed client cannot crash");
    }
    if (!record.backend.crash()) {
      throw new IllegalStateException("this client is already crashed; restart(client) gives a new one");
    }
  }

  /**
   * Starts the process again after a {@link #crash}: a new started client, configured as the
   * crashed one was (the same customizer), with a new session and a new random seed. The crashed
   * client stays dead: it never opens a session again; its old session lives on at the service
   * until its timeout passes, as a dead process's would, even while the new client works — so a
   * restart before the timeout shows the overlap a real restart has. Recipes must be made anew on
   * the new client, as a restarted process makes them.
   *
   * @throws IllegalArgumentException if {@code crashed} was not made by this fixture
   * @throws IllegalStateException if it was not crashed, or was restarted already
   */
  public Cohort restart(Cohort crashed) {
    require(Fault.CRASH);
    ClientRecord record = recordOf(crashed);
    synchronized (this) {
      if (!record.backend.isCrashed()) {
        throw new IllegalStateException("only a crashed client can be restarted: crash(client) first");
      }
      if (record.restarted) {
        throw new IllegalStateException("this crashed client was restarted already; restart the new client's crash instead");
      }
      record.restarted = true;
    }
    return newClient(record.customizer);
  }

  /** Whether {@code client} was {@linkplain #crash crashed}. */
  public boolean isCrashed(Cohort client) {
    return recordOf(client).backend.isCrashed();
  }

  private ClientRecord recordOf(Cohort client) {
    Objects.requireNonNull(client, "client");
    synchronized (this) {
      requireOpen();
      ClientRecord record = records.get(client);
      if (record == null) {
        throw new IllegalArgumentException("not a client made by this fixture's newClient(): " + client);
      }
      return record;
    }
  }

  /** Refuses to bring back a session a crash cut off: only a restart brings the process back. */
  private void refuseIfCrashed(Session session) {
    List<ClientRecord> all;
    synchronized (this) {
      all = List.copyOf(records.values());
    }
    for (ClientRecord r : all) {
      if (r.backend.isCrashed() && r.backend.opened(session)) {
        throw new IllegalStateException("session 0x" + Long.toHexString(session.id())
            + " belongs to a crashed client: restart(client) gives a new one");
      }
    }
  }

  /** A raw SPI session with the default timeout, connected; closed by the test or by the backend. */
  public Session openSession() {
    return openSession(DEFAULT_SESSION_TIMEOUT);
  }

  /** A raw SPI session asking for {@code sessionTimeout}, connected. */
  public Session openSession(Duration sessionTimeout) {
    try {
      return engine.clientBackend().openSession(SessionConfig.withTimeout(sessionTimeout))
          .get(CONTROL_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while opening a session", e);
    } catch (ExecutionException | TimeoutException e) {
      throw new IllegalStateException("could not open a session on " + engine.clientBackend().name(), e);
    }
  }

  // ---- session faults ------------------------------------------------------------------------

  /**
   * Makes the service expire {@code session} now, as if its timeout had passed: its ephemerals are
   * deleted and other sessions' watches fire. Returns once the service has done so and, if the
   * session was connected, its client has seen EXPIRED.
   *
   * <p>On the replicated fixture the expiry goes through the log, so it needs a leader that reaches
   * a majority: with none possible (too many replicas crashed, paused or cut off) this fails at once
   * with {@link dev.cohort.replicated.ReplicatedFaults.NoQuorumException}, changing nothing, rather
   * than wait for a quorum that only the test can bring back.
   */
  public void expire(Session session) {
    require(Fault.EXPIRE);
    boolean wasConnected = session.state().isConnected();
    CountDownLatch expired = terminalLatch(session);
    engine.expire(session);
    if (wasConnected) {
      awaitLatch(expired, "session 0x" + Long.toHexString(session.id()) + " to expire");
    }
  }

  /**
   * Expires {@code client}'s current session. The client reports {@code LOST}, then opens a new
   * session by itself; its recipes re-establish what they owned.
   *
   * <pre>{@code
   * fixture.expire(leaderClient);
   * await().until(() -> !latch.hasLeadership());
   * }</pre>
   */
  public void expire(Cohort client) {
    expire(currentSession(client));
  }

  /**
   * Cuts {@code session} off from the service: it goes SUSPENDED and its operations fail with
   * ConnectionLoss; the service keeps it until its timeout passes (on the in-memory backend, only
   * when the test {@linkplain #advanceTime advances time}).
   *
   * <pre>{@code
   * fixture.disconnect(client);          // the latch reports it may have lost leadership
   * assertFalse(latch.hasLeadership());
   * fixture.reconnect(client);           // same session back: leadership confirmed again
   * }</pre>
   */
  public void disconnect(Session session) {
    require(Fault.DISCONNECT);
    engine.disconnect(Objects.requireNonNull(session, "session"));
  }

  /**
   * Disconnects {@code client}'s current session. On the ZooKeeper fixture this works for sessions
   * of the fixture's clients and of {@link #openSession()}, which reach the server through the
   * fixture's relay; a session opened on {@link #backend()} connects directly and is refused with
   * {@link IllegalArgumentException}.
   */
  public void disconnect(Cohort client) {
    disconnect(currentSession(client));
  }

  /**
   * Lets a disconnected session reach the service again: RECONNECTED, or EXPIRED if its time ran out.
   *
   * @throws IllegalStateException for the session of a {@linkplain #crash crashed} client (nothing
   *     changes)
   */
  public void reconnect(Session session) {
    require(Fault.DISCONNECT);
    refuseIfCrashed(Objects.requireNonNull(session, "session"));
    engine.reconnect(session);
  }

  /** Reconnects {@code client}'s current session. */
  public void reconnect(Cohort client) {
    reconnect(currentSession(client));
  }

  /**
   * The next operation on {@code session} is applied by the service but its reply is lost: the
   * caller sees ConnectionLoss and cannot tell whether it happened — the case protected creates and
   * guarded deletes exist for.
   *
   * <pre>{@code
   * fixture.loseNextReply(client);
   * FencingToken token = lock.acquire();   // the client finds its own node and does not leak one
   * }</pre>
   */
  public void loseNextReply(Session session) {
    require(Fault.LOSE_REPLY);
    engine.loseNextReply(Objects.requireNonNull(session, "session"));
  }

  /**
   * Loses the reply to {@code client}'s next operation. On the ZooKeeper fixture, as for {@link
   * #disconnect(Cohort)}, this works for sessions of the fixture's clients and of {@link
   * #openSession()}: the fixture's relay drops the reply and closes the connection, and the client
   * reconnects to the same session by itself.
   */
  public void loseNextReply(Cohort client) {
    loseNextReply(currentSession(client));
  }

  /**
   * Moves the virtual clock forward, expiring every disconnected session whose timeout passes, at
   * no cost in wall time. The fixture's clients measure time on the same clock, so their waits
   * follow it too: a recipe timeout ({@code tryAcquire}, {@code take}, {@code await}) passes once
   * the test has advanced past it, and only then; a client cut off for its whole session timeout
   * learns it here. Their retries after a lost connection still run after a few milliseconds of real
   * time (see {@link #newClient(UnaryOperator)}).
   *
   * <pre>{@code
   * fixture.disconnect(client);
   * fixture.advanceTime(Duration.ofSeconds(29));   // still alive
   * fixture.advanceTime(Duration.ofSeconds(2));    // expired: its ephemerals are gone
   * }</pre>
   *
   * @throws IllegalArgumentException if {@code duration} is negative (the clock does not move)
   */
  public void advanceTime(Duration duration) {
    require(Fault.VIRTUAL_TIME);
    if (duration.isNegative()) {
      throw new IllegalArgumentException("time cannot go back: " + duration);
    }
    engine.advanceTime(duration);
  }

  // ---- replica faults ------------------------------------------------------------------------

  /** The number of replicas (1 for the in-memory, ZooKeeper and etcd fixtures). */
  public int replicas() {
    return engine.replicas();
  }

  /**
   * Crashes replica {@code replica} (numbered from 1): it loses all but its log; sessions attached
   * to it move to another replica within their timeout.
   *
   * <pre>{@code
   * fixture.crashReplica(fixture.awaitLeader());   // the leader: a new one is elected
   * fixture.restartReplica(1);                     // it catches up from the new leader
   * }</pre>
   */
  public void crashReplica(int replica) {
    require(Fault.REPLICAS);
    checkReplica(replica);
    engine.crash(replica);
  }

  /** Restarts a crashed replica from its log; it catches up from the leader. */
  public void restartReplica(int replica) {
    require(Fault.REPLICAS);
    checkReplica(replica);
    engine.restart(replica);
  }

  /**
   * Splits the replicas into groups that reach only each other.
   *
   * <pre>{@code
   * fixture.partition(new int[] {1, 2}, new int[] {3});   // 3 is cut off; 1 and 2 keep a majority
   * ...
   * fixture.heal();
   * }</pre>
   */
  public void partition(int[]... groups) {
    require(Fault.REPLICAS);
    for (int[] group : groups) {
      for (int replica : group) {
        checkReplica(replica);
      }
    }
    engine.partition(groups);
  }

  /**
   * Waits (bounded) for a leader, cuts it off from the other replicas, and returns its number.
   *
   * @throws dev.cohort.replicated.ReplicatedFaults.NoQuorumException at once if no leader can be
   *     elected (no majority of replicas running and connected)
   */
  public int isolateLeader() {
    require(Fault.REPLICAS);
    return engine.isolateLeader();
  }

  /** Restores every link between replicas; crashed replicas stay down until restarted. */
  public void heal() {
    require(Fault.REPLICAS);
    engine.heal();
  }

  /** The replica that leads right now, if any. */
  public OptionalInt leader() {
    require(Fault.REPLICAS);
    return engine.leader();
  }

  /**
   * Waits (bounded) until some replica leads, and returns its number.
   *
   * @throws dev.cohort.replicated.ReplicatedFaults.NoQuorumException at once if no leader can be
   *     elected (no majority of replicas running and connected): waiting would be in vain
   */
  public int awaitLeader() {
    require(Fault.REPLICAS);
    return engine.awaitLeader("a leader to be elected");
  }

  /** Whether replica {@code replica} is running (not crashed). */
  public boolean isRunning(int replica) {
    require(Fault.REPLICAS);
    checkReplica(replica);
    return engine.isRunning(replica);
  }

  // ---- observations --------------------------------------------------------------------------

  /**
   * Watch events the backend has delivered to all sessions so far, where the backend counts them
   * (in-memory and replicated): herd tests compare it before and after a release.
   */
  public OptionalLong watchEventsDelivered() {
    CoordinationBackend b = backend();
    if (b instanceof InMemoryBackend m) {
      return OptionalLong.of(m.watchEventsDelivered());
    }
    if (b instanceof ReplicatedBackend r) {
      return OptionalLong.of(r.watchEventsDelivered());
    }
    return OptionalLong.empty();
  }

  /** Closes every client this fixture started, the backend, and any server it runs. Idempotent. */
  @Override
  public void close() {
    List<Cohort> toClose;
    List<ClientRecord> crashed;
    synchronized (this) {
      if (closed) {
        return;
      }
      closed = true;
      toClose = List.copyOf(clients);
      clients.clear();
      crashed = records.values().stream().filter(r -> r.backend.isCrashed()).toList();
      records.clear();
    }
    try {
      // A cut-off session's close could wait for a service it cannot reach: let it through first.
      crashed.forEach(r -> r.backend.liveSessions().forEach(engine::release));
      toClose.forEach(Cohort::close);
    } finally {
      try {
        engine.close();
      } finally {
        if (virtualScheduler != null) {
          virtualScheduler.close();
        }
      }
    }
  }

  @Override
  public String toString() {
    return "CohortFixture[" + kind + ", " + backend().name() + "]";
  }

  // ---- helpers -------------------------------------------------------------------------------

  private void require(Fault fault) {
    synchronized (this) {
      requireOpen();
    }
    if (!supports(fault)) {
      throw new UnsupportedFaultException(fault, kind);
    }
  }

  private void requireOpen() {
    if (closed) {
      throw new IllegalStateException("this fixture is closed");
    }
  }

  private void checkReplica(int replica) {
    int n = engine.replicas();
    if (replica < 1 || replica > n) {
      throw new IllegalArgumentException("replica must be in 1.." + n + ", got " + replica);
    }
  }

  private static Session currentSession(Cohort client) {
    Session session = Objects.requireNonNull(client, "client").session();
    if (session == null) {
      throw new IllegalStateException("the client has no session (not started, or closed)");
    }
    return session;
  }

  private static CountDownLatch terminalLatch(Session session) {
    CountDownLatch latch = new CountDownLatch(1);
    session.addStateListener((s, state) -> {
      if (state == SessionState.EXPIRED || state == SessionState.CLOSED) {
        latch.countDown();
      }
    });
    if (session.state().isTerminal()) {
      latch.countDown();
    }
    return latch;
  }

  private static void awaitLatch(CountDownLatch latch, String what) {
    try {
      if (!latch.await(CONTROL_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)) {
        throw new IllegalStateException("gave up after " + CONTROL_TIMEOUT + " waiting for " + what);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while waiting for " + what, e);
    }
  }

  /**
   * Polls {@code condition} until it holds, at most {@link #CONTROL_TIMEOUT}. Used only for states
   * a backend offers no listener for (a replicated leader).
   */
  static void awaitCondition(BooleanSupplier condition, String what) {
    awaitCondition(condition, what, CONTROL_TIMEOUT);
  }

  /** Polls {@code condition} until it holds, at most {@code bound}. */
  static void awaitCondition(BooleanSupplier condition, String what, Duration bound) {
    TimeSource clock = TimeSource.system();
    long deadline = clock.nanoTime() + bound.toNanos();
    while (!condition.getAsBoolean()) {
      if (clock.nanoTime() - deadline > 0) {
        throw new IllegalStateException("gave up after " + bound + " waiting for " + what);
      }
      if (Thread.interrupted()) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException("interrupted while waiting for " + what);
      }
      LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(1));
    }
  }
}
