package dev.cohort.examples;

import dev.cohort.inmemory.InMemoryBackend;
import dev.cohort.recipes.Cohort;
import dev.cohort.recipes.ExponentialBackoff;
import dev.cohort.replicated.ReplicatedBackend;
import dev.cohort.spi.CoordinationBackend;
import dev.cohort.spi.Session;
import dev.cohort.etcd.EtcdBackend;
import dev.cohort.zookeeper.ZooKeeperBackend;
import java.time.Duration;
import java.util.Objects;
import java.util.OptionalInt;
import java.util.Random;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The coordination service a demo runs on, the clients the demo's "services" use, and the faults
 * the demo can inject there. On the replicated backend every fault is real: replicas crash and
 * restart, the leader included. On a ZooKeeper ensemble the demo cannot crash servers, so it only
 * kills its own services.
 */
final class DemoCluster implements AutoCloseable {

  /** The backends a demo can run on. */
  enum Kind {
    REPLICATED, INMEMORY, ZOOKEEPER, ETCD
  }

  private final Kind kind;
  private final CoordinationBackend backend;
  private final String namespace;
  private final Duration sessionTimeout;
  private final AtomicLong seeds;
  private final CopyOnWriteArrayList<Cohort> clients = new CopyOnWriteArrayList<>();

  private DemoCluster(Kind kind, CoordinationBackend backend, String namespace, Duration sessionTimeout, long seed) {
    this.kind = kind;
    this.backend = backend;
    this.namespace = namespace;
    this.sessionTimeout = sessionTimeout;
    this.seeds = new AtomicLong(seed);
  }

  /** Starts (or, for ZooKeeper, connects to) the service the options name. */
  static DemoCluster start(BackendOptions options) {
    Kind kind = options.kind();
    long seed = options.seed();
    return switch (kind) {
      case REPLICATED -> new DemoCluster(kind,
          ReplicatedBackend.builder().replicas(options.replicas()).seed(seed).build(), "/demo", Duration.ofSeconds(3), seed);
      case INMEMORY -> new DemoCluster(kind, InMemoryBackend.builder()
          .minSessionTimeout(Duration.ofSeconds(1)).build(), "/demo", Duration.ofSeconds(3), seed);
      // A shared ensemble may hold other runs' data: each run works under a namespace of its own.
      case ZOOKEEPER -> new DemoCluster(kind, ZooKeeperBackend.connect(options.zookeeper()),
          "/cohort-demo/run-" + Long.toHexString(new Random().nextLong() & Long.MAX_VALUE), Duration.ofSeconds(6), seed);
      // The same for a shared etcd cluster: a key namespace of the run's own.
      case ETCD -> new DemoCluster(kind, EtcdBackend.builder().endpoints(options.etcdEndpoints())
          .namespace("/cohort-demo-" + Long.toHexString(new Random().nextLong() & Long.MAX_VALUE)).build(),
          "/demo", Duration.ofSeconds(6), seed);
    };
  }

  Kind kind() {
    return kind;
  }

  CoordinationBackend backend() {
    return backend;
  }

  String describe() {
    return switch (kind) {
      case REPLICATED -> "replicated backend, " + ((ReplicatedBackend) backend).replicas() + " replicas in this JVM";
      case INMEMORY -> "in-memory backend";
      case ZOOKEEPER -> "ZooKeeper at " + ((ZooKeeperBackend) backend).connectString();
      case ETCD -> "etcd at " + ((EtcdBackend) backend).endpoints();
    };
  }

  /** A started client: one "process" of the demo. */
  Cohort newClient() {
    Cohort client = Cohort.builder(backend)
        .namespace(namespace)
        .sessionTimeout(sessionTimeout)
        .retryPolicy(new ExponentialBackoff(Duration.ofMillis(2), Duration.ofMillis(100), 200, Duration.ofSeconds(20)))
        .random(new Random(seeds.getAndIncrement()))
        .build();
    try {
      client.start();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      client.close();
      throw new IllegalStateException("interrupted while connecting", e);
    }
    clients.add(client);
    return client;
  }

  /**
   * Kills a service the way a crashed process dies: its session is first cut off (the process says
   * nothing more, and its client can no longer learn anything or open a new session), then the
   * service expires the session, so its ephemerals, claims and leadership go at once. The dead
   * client is closed in the background. On a real ensemble the demo has no fault control and
   * closes the client instead.
   */
  void kill(Cohort client) {
    Session session = client.session();
    if (session != null && !session.state().isTerminal()) {
      try {
        switch (kind) {
          case REPLICATED -> {
            ReplicatedBackend r = (ReplicatedBackend) backend;
            r.faults().disconnect(session);
            if (r.faults().leader().isPresent()) {
              r.faults().expire(session);
            }
          }
          case INMEMORY -> {
            InMemoryBackend m = (InMemoryBackend) backend;
            m.faults().disconnect(session);
            m.faults().expire(session);
          }
          case ZOOKEEPER, ETCD -> { } // no fault control on a real cluster: closing is what we can do
        }
      } catch (IllegalStateException | IllegalArgumentException e) {
        // the session already went (or no leader right now): closing below ends it anyway
      }
    }
    clients.remove(client);
    Thread closer = new Thread(client::close, "close-killed-client");
    closer.setDaemon(true);
    closer.start();
  }

  /** Whether backend replicas can be crashed here. */
  boolean hasReplicaFaults() {
    return kind == Kind.REPLICATED;
  }

  int replicas() {
    return kind == Kind.REPLICATED ? ((ReplicatedBackend) backend).replicas() : 1;
  }

  OptionalInt leader() {
    return kind == Kind.REPLICATED ? ((ReplicatedBackend) backend).faults().leader() : OptionalInt.empty();
  }

  void crashReplica(int replica) {
    ((ReplicatedBackend) backend).faults().crash(replica);
  }

  void restartReplica(int replica) {
    ((ReplicatedBackend) backend).faults().restart(replica);
  }

  /** Watch events delivered so far, where the backend counts them. */
  OptionalInt watchEvents() {
    long n = switch (kind) {
      case REPLICATED -> ((ReplicatedBackend) backend).watchEventsDelivered();
      case INMEMORY -> ((InMemoryBackend) backend).watchEventsDelivered();
      case ZOOKEEPER, ETCD -> -1;
    };
    return n < 0 ? OptionalInt.empty() : OptionalInt.of((int) n);
  }

  @Override
  public void close() {
    for (Cohort c : clients) {
      c.close();
    }
    clients.clear();
    backend.close();
  }

  @Override
  public String toString() {
    return Objects.toString(describe());
  }
}
