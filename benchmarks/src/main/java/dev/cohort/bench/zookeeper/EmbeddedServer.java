package dev.cohort.bench.zookeeper;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.Stream;
import org.apache.zookeeper.server.ServerCnxnFactory;
import org.apache.zookeeper.server.ZooKeeperServer;

/** A standalone ZooKeeper server in this JVM on a free loopback port: what a Cohort test fixture starts. */
public final class EmbeddedServer implements AutoCloseable {
  private final ZooKeeperServer server;
  private final ServerCnxnFactory factory;

  private EmbeddedServer(ZooKeeperServer server, ServerCnxnFactory factory) {
    this.server = server;
    this.factory = factory;
  }

  public static EmbeddedServer start(Path dir) throws IOException, InterruptedException {
    return start(dir, 100);
  }

  /**
   * A server that accepts at most {@code maxConnectionsPerAddress} connections from one address (0:
   * no limit; ZooKeeper's own default is 60). Each ZooKeeper session is one connection.
   */
  public static EmbeddedServer start(Path dir, int maxConnectionsPerAddress) throws IOException, InterruptedException {
    ZooKeeperServer server = new ZooKeeperServer(dir.resolve("snap").toFile(), dir.resolve("log").toFile(), 2000);
    ServerCnxnFactory factory = ServerCnxnFactory.createFactory(new InetSocketAddress("127.0.0.1", 0),
        maxConnectionsPerAddress);
    factory.startup(server);
    return new EmbeddedServer(server, factory);
  }

  public String connectString() {
    return "127.0.0.1:" + factory.getLocalPort();
  }

  @Override
  public void close() {
    factory.shutdown();
    server.shutdown();
  }

  public static void delete(Path dir) throws IOException {
    try (Stream<Path> walk = Files.walk(dir)) {
      walk.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    }
  }
}
