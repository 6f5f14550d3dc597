package dev.cohort.replicated;

import dev.cohort.replicated.raft.RaftConfig;
import dev.cohort.spi.Capability;
import dev.cohort.spi.ConnectionLossException;
import dev.cohort.spi.CoordinationBackend;
import dev.cohort.spi.Session;
import dev.cohort.spi.SessionClosedException;
import dev.cohort.spi.SessionConfig;
import dev.cohort.spi.TimeSource;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Collections;
import java.util.EnumSet;
import java.util.Objects;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;

/**
 * A coordination service replicated over N replicas inside this JVM: one elected leader orders
 * every write, a majority of replicas must store it before it commits, and every replica applies
 * the committed log to its own copy of the tree. Sessions attach to one replica and read from it
 * (reads may be stale; {@code sync} catches up), write through the leader, and move to another
 * replica within their timeout when theirs fails.
 *
 * <h2>Guarantees</h2>
 * Those of the SPI ({@code zookeeper-semantics.md}): linearizable writes, FIFO order per session, a
 * session never sees an older view than one it has seen (also across a move), one-shot watches
 * re-armed on reconnect, and an acknowledged write is never lost while a majority of replicas
 * survives — or, with a {@linkplain Builder#dataDirectory data directory}, across the restart of
 * every replica. {@link #faults()} injects failures while it runs.
 *
 * <p>The service runs on one event-loop thread; callbacks run on a per-session serial queue over
 * the callback executor, never on that thread and never under a lock. For a single-threaded,
 * seed-reproducible run on virtual time, use {@link ReplicatedSimulation}.
 */
public final class ReplicatedBackend implements CoordinationBackend {
  private final Cluster cluster;
  private final EventLoop loop;
  private final RealTimeLoop realTimeLoop;
  private final ExecutorService ownedExecutor;
  private final Set<Capability> capabilities;
  private final ReplicatedFaults faults;
  private final AtomicLong watchEvents = new AtomicLong();
  private volatile boolean closed;

  ReplicatedBackend(Builder b, EventLoop loop, RealTimeLoop realTimeLoop, Random random,
      java.util.function.LongSupplier epochMillis) {
    this.loop = loop;
    this.realTimeLoop = realTimeLoop;
    this.capabilities = Collections.unmodifiableSet(EnumSet.copyOf(b.capabilities));
    Executor executor = b.callbackExecutor;
    if (executor == null && realTimeLoop != null) {
      ownedExecutor = Executors.newCachedThreadPool(r -> {
        Thread t = new Thread(r, "cohort-replicated-callbacks");
        t.setDaemon(true);
        return t;
      });
      executor = ownedExecutor;
    } else {
      ownedExecutor = null;
    }
    Settings settings = b.settings();
    java.util.function.IntFunction<RaftStorage> storage = b.dataDirectory == null
        ? id -> new MemoryStorage()
        : id -> FileStorage.open(b.dataDirectory.resolve("replica-" + id), b.fsync);
    this.cluster = new Cluster(settings, loop, random, epochMillis, executor, storage);
    this.faults = new ReplicatedFaults(this);
  }

  /** Three replicas, system time, default settings, started. */
  public static ReplicatedBackend create() {
    return builder().build();
  }

  public static Builder builder() {
    return new Builder();
  }

  /** Fault injection: crash, restart, pause and isolate replicas, partition, heal, move sessions. */
  public ReplicatedFaults faults() {
    return faults;
  }

  /** The number of replicas. */
  public int replicas() {
    return cluster.size();
  }

  /** Watch events delivered to all sessions so far. */
  public long watchEventsDelivered() {
    return watchEvents.get();
  }

  void countEvent() {
    watchEvents.incrementAndGet();
  }

  Cluster cluster() {
    return cluster;
  }

  @Override
  public Set<Capability> capabilities() {
    return capabilities;
  }

  @Override
  public String name() {
    return "replicated(" + cluster.size() + ")";
  }

  @Override
  public CompletableFuture<Session> openSession(SessionConfig config) {
    Objects.requireNonNull(config, "config");
    if (closed) {
      return CompletableFuture.failedFuture(new SessionClosedException(null, "the backend is closed"));
    }
    Settings s = cluster.settings();
    long timeout = Math.max(s.minSessionTimeoutMillis(),
        Math.min(s.maxSessionTimeoutMillis(), config.sessionTimeout().toMillis()));
    CompletableFuture<Session> result = new CompletableFuture<>();
    loop.execute(() -> {
      boolean anyUp = false;
      for (int id = 1; id <= cluster.size(); id++) {
        anyUp |= cluster.host(id).status() != RaftHost.Status.CRASHED;
      }
      if (!anyUp) {
        result.completeExceptionally(new ConnectionLossException(null,
            "every replica of the cluster is crashed: restart one with faults().restart(id)"));
        return;
      }
      ReplicatedSession session = cluster.register(
          endpoint -> new ReplicatedSession(this, cluster, endpoint, cluster.newSessionId(), timeout));
      session.open().whenComplete((v, e) -> {
        if (e != null) {
          result.completeExceptionally(e);
        } else {
          result.complete(v);
        }
      });
    });
    return result;
  }

  /** Runs {@code action} on the event loop and waits for its result (directly when already on it). */
  <T> T onLoop(Function<Cluster, T> action) {
    if (closed) {
      throw new IllegalStateException("the backend is closed");
    }
    if (loop.inLoop()) {
      return action.apply(cluster);
    }
    CompletableFuture<T> f = new CompletableFuture<>();
    loop.execute(() -> {
      try {
        f.complete(action.apply(cluster));
      } catch (RuntimeException e) {
        f.completeExceptionally(e);
      }
    });
    try {
      return f.get(30, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while waiting for the event loop", e);
    } catch (ExecutionException e) {
      if (e.getCause() instanceof RuntimeException re) {
        throw re;
      }
      throw new IllegalStateException(e.getCause());
    } catch (TimeoutException e) {
      throw new IllegalStateException("the event loop did not answer within 30 s", e);
    }
  }

  /** Waits (at most 30 s) for something the event loop completes; in a simulation, runs the loop. */
  void await(CompletableFuture<?> f, String what) {
    await(f, what, Duration.ofSeconds(30));
  }

  /** Waits at most {@code bound} for something the event loop completes; in a simulation, runs the loop. */
  void await(CompletableFuture<?> f, String what, Duration bound) {
    if (loop instanceof SimLoop sim) {
      sim.runUntil(f::isDone, bound.toNanos());
      if (!f.isDone()) {
        throw new IllegalStateException(what + " did not happen within " + bound + " of virtual time");
      }
      return;
    }
    try {
      f.get(bound.toNanos(), TimeUnit.NANOSECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while waiting for " + what, e);
    } catch (ExecutionException | TimeoutException e) {
      throw new IllegalStateException(what + " did not happen within " + bound, e);
    }
  }

  boolean isClosed() {
    return closed;
  }

  @Override
  public void close() {
    if (closed) {
      return;
    }
    for (ReplicatedSession s : onLoop(Cluster::sessions)) {
      s.close();
    }
    onLoop(c -> {
      c.sessions().forEach(ReplicatedSession::forceClosed);
      for (int id = 1; id <= c.size(); id++) {
        c.storage(id).close();
      }
      return null;
    });
    closed = true;
    if (realTimeLoop != null) {
      realTimeLoop.stop();
    }
    if (ownedExecutor != null) {
      ownedExecutor.shutdown();
    }
  }

  /**
   * Configures a {@link ReplicatedBackend} (or, through {@link ReplicatedSimulation}, a simulated
   * one). Every setter validates its argument and throws {@link IllegalArgumentException} for a bad
   * one, leaving the builder unchanged.
   */
  public static final class Builder {
    private int replicas = 3;
    private TimeSource timeSource = TimeSource.system();
    private int maxDataBytes = DEFAULT_MAX_DATA_BYTES;
    private Duration tick = Duration.ofMillis(5);
    private int electionTimeoutTicks = 10;
    private Duration minSessionTimeout = Duration.ofMillis(200);
    private Duration maxSessionTimeout = Duration.ofSeconds(60);
    private Executor callbackExecutor;
    private long seed = new java.security.SecureRandom().nextLong();
    private Path dataDirectory;
    private boolean fsync = true;
    private long snapshotEvery = 10_000;
    private int homeReplica;
    private final Set<Capability> capabilities = EnumSet.allOf(Capability.class);

    Builder() {}

    /** How many replicas: 1, 3, 5 or 7 (default 3). An even count adds no fault tolerance. */
    public Builder replicas(int replicas) {
      if (replicas != 1 && replicas != 3 && replicas != 5 && replicas != 7) {
        throw new IllegalArgumentException("replicas must be 1, 3, 5 or 7, got " + replicas
            + (replicas > 0 && replicas % 2 == 0 ? " (an even count tolerates no more failures than one fewer)" : ""));
      }
      this.replicas = replicas;
      return this;
    }

    public Builder timeSource(TimeSource timeSource) {
      this.timeSource = Objects.requireNonNull(timeSource, "timeSource");
      return this;
    }

    /**
     * The largest data a node may hold, and all the ops of one multi together, in bytes (default
     * {@link CoordinationBackend#DEFAULT_MAX_DATA_BYTES}, the figure every backend shares); larger
     * writes fail with DataTooLarge.
     */
    public Builder maxDataBytes(int maxDataBytes) {
      if (maxDataBytes < 0) {
        throw new IllegalArgumentException("maxDataBytes must not be negative: " + maxDataBytes);
      }
      this.maxDataBytes = maxDataBytes;
      return this;
    }

    /** The consensus clock's tick (default 5 ms): heartbeats go out every tick. */
    public Builder tick(Duration tick) {
      if (tick.isNegative() || tick.isZero()) {
        throw new IllegalArgumentException("tick must be positive: " + tick);
      }
      this.tick = tick;
      return this;
    }

    /** Followers call an election after a random time in (n, 2n] ticks without a leader (default 10). */
    public Builder electionTimeoutTicks(int ticks) {
      if (ticks < 2) {
        throw new IllegalArgumentException("electionTimeoutTicks must be at least 2: " + ticks);
      }
      this.electionTimeoutTicks = ticks;
      return this;
    }

    /** Granted session timeouts are clamped into [min, max] (default 200 ms to 60 s). */
    public Builder sessionTimeoutRange(Duration min, Duration max) {
      if (min.isNegative() || min.isZero() || max.compareTo(min) < 0) {
        throw new IllegalArgumentException("need 0 < min <= max, got " + min + " and " + max);
      }
      this.minSessionTimeout = min;
      this.maxSessionTimeout = max;
      return this;
    }

    /** Where callbacks run (each session's still one at a time, in order); default a cached pool. */
    public Builder callbackExecutor(Executor executor) {
      this.callbackExecutor = Objects.requireNonNull(executor, "executor");
      return this;
    }

    /** Seeds every random choice (election timeouts, network faults); default a random seed. */
    public Builder seed(long seed) {
      this.seed = seed;
      return this;
    }

    /**
     * Keeps each replica's log and snapshots under {@code directory}/replica-N, so that a restarted
     * replica — or the whole cluster after every replica stopped — comes back without losing an
     * acknowledged write. An existing directory is recovered from.
     */
    public Builder dataDirectory(Path directory) {
      this.dataDirectory = Objects.requireNonNull(directory, "directory");
      return this;
    }

    /** Whether to fsync the log before acknowledging (default true; false survives only process crashes). */
    public Builder fsync(boolean fsync) {
      this.fsync = fsync;
      return this;
    }

    /** Compact each replica's log behind a snapshot every this many entries (default 10,000). */
    public Builder snapshotEvery(long entries) {
      if (entries < 1) {
        throw new IllegalArgumentException("snapshotEvery must be positive: " + entries);
      }
      this.snapshotEvery = entries;
      return this;
    }

    /**
     * Attaches every new session to {@code replica} first, instead of spreading sessions round robin
     * (sessions still move when it fails). With all sessions on one replica, a write that completed
     * on one session is visible to the others' next read without {@code sync}, as on a single
     * ZooKeeper server; spread sessions see the replication lag, as on an ensemble.
     */
    public Builder attachSessionsTo(int replica) {
      if (replica < 1 || replica > 7) {
        throw new IllegalArgumentException("replica must be in 1..replicas, got " + replica);
      }
      this.homeReplica = replica;
      return this;
    }

    /** Turns an optional feature off (to test recipes' fallbacks). */
    public Builder withoutCapability(Capability capability) {
      capabilities.remove(Objects.requireNonNull(capability, "capability"));
      return this;
    }

    Settings settings() {
      if (homeReplica > replicas) {
        throw new IllegalArgumentException("attachSessionsTo(" + homeReplica + ") names a replica beyond the "
            + replicas + " configured");
      }
      long tickNanos = tick.toNanos();
      RaftConfig raft = new RaftConfig(electionTimeoutTicks, 1, 1024, 64);
      return new Settings(replicas, tickNanos, raft, maxDataBytes, minSessionTimeout.toMillis(),
          maxSessionTimeout.toMillis(), 4 * electionTimeoutTicks * tickNanos, 4, 100, snapshotEvery, homeReplica);
    }

    long seed() {
      return seed;
    }

    /** Builds and starts a real-time cluster: an event-loop thread plus the callback executor. */
    public ReplicatedBackend build() {
      RealTimeLoop loop = new RealTimeLoop(timeSource, "cohort-replicated-loop");
      TimeSource ts = timeSource;
      ReplicatedBackend backend = new ReplicatedBackend(this, loop, loop, new Random(seed), ts::epochMillis);
      loop.start();
      backend.onLoop(c -> {
        c.start();
        return null;
      });
      return backend;
    }
  }
}
