package dev.cohort.zookeeper;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import org.apache.zookeeper.server.ContainerManager;
import org.apache.zookeeper.server.RequestProcessor;
import org.apache.zookeeper.server.ServerCnxnFactory;
import org.apache.zookeeper.server.ZooKeeperServer;

/**
 * A single real ZooKeeper server started in this JVM on a free loopback port, with its data in a
 * fresh temporary directory that {@link #close()} deletes. TTL nodes are enabled by the test JVM's
 * {@code zookeeper.extendedTypesEnabled=true} (see the module's surefire configuration).
 */
final class EmbeddedZooKeeper implements AutoCloseable {

  static final int TICK_MS = 50;
  static final int MIN_SESSION_TIMEOUT_MS = 500;
  static final int MAX_SESSION_TIMEOUT_MS = 60_000;
  /** How often emptied containers and expired TTL nodes are looked for (the server's default is 60 s). */
  static final int CONTAINER_CHECK_INTERVAL_MS = 100;

  /** The server, with the request pipeline that the container manager submits deletes to. */
  private static final class Server extends ZooKeeperServer {
    Server(Path dir) throws IOException {
      super(dir.resolve("snap").toFile(), dir.resolve("log").toFile(), TICK_MS);
    }

    RequestProcessor pipeline() {
      return firstProcessor;
    }
  }

  private final Path dataDir;
  private final Server server;
  private final ServerCnxnFactory factory;
  private final ContainerManager containers;

  private EmbeddedZooKeeper(Path dataDir, Server server, ServerCnxnFactory factory) {
    this.dataDir = dataDir;
    this.server = server;
    this.factory = factory;
    // What ZooKeeperServerMain does for a standalone server: remove emptied containers and expired
    // TTL nodes in the background.
    this.containers = new ContainerManager(server.getZKDatabase(), server.pipeline(),
        CONTAINER_CHECK_INTERVAL_MS, 10_000);
    containers.start();
  }

  static EmbeddedZooKeeper start() {
    Path dir = null;
    try {
      dir = Files.createTempDirectory("cohort-zk-");
      Server server = new Server(dir);
      server.setMinSessionTimeout(MIN_SESSION_TIMEOUT_MS);
      server.setMaxSessionTimeout(MAX_SESSION_TIMEOUT_MS);
      ServerCnxnFactory factory = ServerCnxnFactory.createFactory(new InetSocketAddress("127.0.0.1", 0), 200);
      factory.startup(server);
      return new EmbeddedZooKeeper(dir, server, factory);
    } catch (IOException e) {
      TempDirs.deleteQuietly(dir);
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      TempDirs.deleteQuietly(dir);
      throw new IllegalStateException(e);
    }
  }

  /** The watches the server holds now (data and child watches, per path and connection). */
  int registeredWatches() {
    return server.getZKDatabase().getDataTree().getWatchCount();
  }

  /** Requests the server has received so far, from every connection (pings included). */
  long packetsReceived() {
    return server.serverStats().getPacketsReceived();
  }

  int port() {
    return factory.getLocalPort();
  }

  String connectString() {
    return "127.0.0.1:" + port();
  }

  @Override
  public void close() {
    containers.stop();
    factory.shutdown();
    server.shutdown();
    TempDirs.deleteQuietly(dataDir);
  }
}
