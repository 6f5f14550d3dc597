package dev.cohort.testing;

import dev.cohort.spi.CoordinationBackend;
import dev.cohort.spi.Session;
import dev.cohort.zookeeper.ZooKeeperBackend;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.stream.Stream;
import org.apache.zookeeper.server.ServerCnxnFactory;
import org.apache.zookeeper.server.ZooKeeperServer;

/**
 * A standalone ZooKeeper server in this JVM, listening on 127.0.0.1 only, on a port the system
 * picks, with its snapshots and logs in a temporary directory deleted on close.
 *
 * <p>The fixture's clients reach it through a {@link SessionCutter} (a relay on 127.0.0.1), so that
 * a client can be crashed or disconnected: its session cut off without being closed. So do the raw
 * sessions of {@code CohortFixture.openSession()}; the backend returned by {@code backend()}
 * connects directly.
 *
 * <p>Its session limits are widened (0.5 s to 60 s) so tests get the timeout they ask for rather
 * than the server's tick-derived defaults. Expiry is the server's own: it deletes the session's
 * ephemerals and tells the client, exactly as a timeout would.
 */
final class ZooKeeperEngine implements Engine {
  private static final int TICK_MS = 50;

  private final Path dataDir;
  private final ZooKeeperServer server;
  private final ServerCnxnFactory factory;
  private final ZooKeeperBackend backend;
  /** Between the fixture's clients and the server, so that a client's session can be cut off. */
  private final SessionCutter cutter;
  private final ZooKeeperBackend clientBackend;

  ZooKeeperEngine() {
    Path dir = null;
    ServerCnxnFactory cnxn = null;
    ZooKeeperServer zk = null;
    try {
      dir = Files.createTempDirectory("cohort-zk-");
      zk = new ZooKeeperServer(dir.resolve("snap").toFile(), dir.resolve("log").toFile(), TICK_MS);
      zk.setMinSessionTimeout(500);
      zk.setMaxSessionTimeout(60_000);
      cnxn = ServerCnxnFactory.createFactory(new InetSocketAddress("127.0.0.1", 0), 500);
      cnxn.startup(zk);
    } catch (IOException e) {
      stop(cnxn, zk, dir);
      throw new UncheckedIOException("could not start an embedded ZooKeeper server", e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      stop(cnxn, zk, dir);
      throw new IllegalStateException("interrupted while starting an embedded ZooKeeper server", e);
    }
    this.dataDir = dir;
    this.server = zk;
    this.factory = cnxn;
    ZooKeeperBackend direct = null;
    SessionCutter relay = null;
    try {
      direct = ZooKeeperBackend.connect("127.0.0.1:" + cnxn.getLocalPort());
      relay = new SessionCutter(cnxn.getLocalPort());
      this.clientBackend = ZooKeeperBackend.connect(relay.connectString());
    } catch (RuntimeException e) {
      if (direct != null) {
        direct.close();
      }
      if (relay != null) {
        relay.close();
      }
      stop(cnxn, zk, dir);
      throw e;
    }
    this.backend = direct;
    this.cutter = relay;
  }

  @Override
  public java.util.Optional<String> connectString() {
    return java.util.Optional.of("127.0.0.1:" + factory.getLocalPort());
  }

  @Override
  public CoordinationBackend backend() {
    return backend;
  }

  /** Fixture clients connect through {@link SessionCutter}; raw sessions and users' code directly. */
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
    cutter.cut(session.id());
  }

  @Override
  public void release(Session session) {
    cutter.restore(session.id());
  }

  /**
   * Cuts the session's connections and drops its reconnections, as a failed link does; returns once
   * its client has noticed (SUSPENDED), so that a test sees the state it asked for.
   */
  @Override
  public void disconnect(Session session) {
    requireRelayed(session);
    cutter.cut(session.id());
    CohortFixture.awaitCondition(() -> !session.state().isConnected(),
        "session 0x" + Long.toHexString(session.id()) + " to notice it is cut off", Duration.ofSeconds(10));
  }

  /** Lets the session's client through again; it reconnects by itself (RECONNECTED, or EXPIRED). */
  @Override
  public void reconnect(Session session) {
    requireRelayed(session);
    cutter.restore(session.id());
  }

  private void requireRelayed(Session session) {
    if (!cutter.relays(session.id())) {
      throw new IllegalArgumentException("session 0x" + Long.toHexString(session.id())
          + " does not connect through the fixture's relay: only sessions of the fixture's clients and of "
          + "fixture.openSession() can be cut off (those opened on fixture.backend() connect directly)");
    }
  }

  @Override
  public void close() {
    try {
      clientBackend.close();
      backend.close();
    } finally {
      cutter.close();
      stop(factory, server, dataDir);
    }
  }

  private static void stop(ServerCnxnFactory factory, ZooKeeperServer server, Path dir) {
    if (factory != null) {
      factory.shutdown();
    }
    if (server != null) {
      server.shutdown();
    }
    if (dir != null) {
      try (Stream<Path> files = Files.walk(dir)) {
        files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
      } catch (IOException e) {
        // a leftover temporary directory must not fail the test that used the server
      }
    }
  }
}
