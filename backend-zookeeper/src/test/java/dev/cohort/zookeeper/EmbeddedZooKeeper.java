package dev.cohort.zookeeper;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
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

  private final Path dataDir;
  private final ZooKeeperServer server;
  private final ServerCnxnFactory factory;

  private EmbeddedZooKeeper(Path dataDir, ZooKeeperServer server, ServerCnxnFactory factory) {
    this.dataDir = dataDir;
    this.server = server;
    this.factory = factory;
  }

  static EmbeddedZooKeeper start() {
    Path dir = null;
    try {
      dir = Files.createTempDirectory("cohort-zk-");
      ZooKeeperServer server = new ZooKeeperServer(dir.resolve("snap").toFile(), dir.resolve("log").toFile(), TICK_MS);
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

  int port() {
    return factory.getLocalPort();
  }

  String connectString() {
    return "127.0.0.1:" + port();
  }

  @Override
  public void close() {
    factory.shutdown();
    server.shutdown();
    TempDirs.deleteQuietly(dataDir);
  }
}
