package dev.cohort.testing;

import dev.cohort.spi.Capability;
import dev.cohort.spi.CoordinationBackend;
import dev.cohort.spi.Session;
import dev.cohort.zookeeper.ZooKeeperBackend;
import java.time.Duration;
import java.util.EnumSet;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.zookeeper.server.EphemeralType;

/**
 * The ZooKeeper engine: one fixture's namespace on the {@linkplain EmbeddedZooKeeperServer
 * embedded server} this JVM shares between its ZooKeeper fixtures.
 *
 * <p>Each fixture gets its own chroot ({@code /cohort-fixture-N}), created when the fixture starts
 * and deleted, with everything under it, when it closes; its backends are built over that chroot,
 * so a test sees an empty tree at {@code /} and never another fixture's nodes. Starting one costs a
 * create on the server and two backend objects: the backends declare the server's capabilities
 * (the same the capability probe would find) rather than connect to ask.
 *
 * <p>The fixture's clients, and the raw sessions of {@code CohortFixture.openSession()}, reach the
 * server through the shared {@link SessionCutter}, so that a session can be cut off (crash,
 * disconnect) or lose a reply; the backend returned by {@code backend()} connects directly.
 *
 * <p>Expiry is the server's own: it deletes the session's ephemerals and tells the client, exactly
 * as a timeout would.
 */
final class ZooKeeperEngine implements Engine {
  private static final AtomicLong NEXT_NAMESPACE = new AtomicLong(1);

  private final EmbeddedZooKeeperServer server;
  private final String chroot;
  private final ZooKeeperBackend backend;
  private final ZooKeeperBackend clientBackend;

  ZooKeeperEngine() {
    this.server = EmbeddedZooKeeperServer.shared();
    this.chroot = "/cohort-fixture-" + NEXT_NAMESPACE.getAndIncrement();
    server.createNamespace(chroot);
    Set<Capability> caps = capabilities();
    this.backend = ZooKeeperBackend.builder().connectString(server.connectString() + chroot)
        .capabilities(caps).build();
    this.clientBackend = ZooKeeperBackend.builder().connectString(server.relay().connectString() + chroot)
        .capabilities(caps).build();
  }

  /**
   * What the embedded server offers: persistent watches and container nodes always (ZooKeeper
   * 3.6+), TTL nodes when {@code zookeeper.extendedTypesEnabled} is true, read from the same
   * switch the server reads. A test checks that the probe finds the same.
   */
  static Set<Capability> capabilities() {
    Set<Capability> caps = EnumSet.of(Capability.PERSISTENT_WATCHES, Capability.CONTAINER_NODES);
    if (EphemeralType.extendedEphemeralTypesEnabled()) {
      caps.add(Capability.TTL_NODES);
    }
    return caps;
  }

  @Override
  public Optional<String> connectString() {
    return Optional.of(server.connectString() + chroot);
  }

  @Override
  public CoordinationBackend backend() {
    return backend;
  }

  /** Fixture clients connect through the relay; raw sessions on {@link #backend()} directly. */
  @Override
  public CoordinationBackend clientBackend() {
    return clientBackend;
  }

  @Override
  public void expire(Session session) {
    server.expire(session.id());
  }

  /** Closes the session's connections and drops its reconnections; the server expires it in time. */
  @Override
  public void cutOff(Session session) {
    server.relay().cut(session.id());
  }

  @Override
  public void release(Session session) {
    server.relay().restore(session.id());
  }

  /**
   * Cuts the session's connections and drops its reconnections, as a failed link does; returns once
   * its client has noticed (SUSPENDED), so that a test sees the state it asked for.
   */
  @Override
  public void disconnect(Session session) {
    requireRelayed(session);
    server.relay().cut(session.id());
    CohortFixture.awaitCondition(() -> !session.state().isConnected(),
        "session 0x" + Long.toHexString(session.id()) + " to notice it is cut off", Duration.ofSeconds(10));
  }

  /** Lets the session's client through again; it reconnects by itself (RECONNECTED, or EXPIRED). */
  @Override
  public void reconnect(Session session) {
    requireRelayed(session);
    server.relay().restore(session.id());
  }

  /**
   * The server applies the session's next request; the relay drops the reply and closes the
   * connection, so the caller sees ConnectionLoss and the client reconnects to the same session.
   */
  @Override
  public void loseNextReply(Session session) {
    requireRelayed(session);
    server.relay().loseNextReply(session.id());
  }

  private void requireRelayed(Session session) {
    if (!server.relay().relays(session.id())) {
      throw new IllegalArgumentException("session 0x" + Long.toHexString(session.id())
          + " does not connect through the fixture's relay: only sessions of the fixture's clients and of "
          + "fixture.openSession() can be cut off or lose a reply (those opened on fixture.backend() "
          + "connect directly)");
    }
  }

  /** Closes this fixture's backends, then deletes its namespace; the shared server keeps running. */
  @Override
  public void close() {
    try {
      clientBackend.close();
      backend.close();
    } finally {
      server.deleteNamespace(chroot);
    }
  }
}
