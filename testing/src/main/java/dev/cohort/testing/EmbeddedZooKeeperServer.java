package dev.cohort.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Stream;
import org.apache.zookeeper.CreateMode;
import org.apache.zookeeper.KeeperException;
import org.apache.zookeeper.Watcher.Event.KeeperState;
import org.apache.zookeeper.ZKUtil;
import org.apache.zookeeper.ZooDefs;
import org.apache.zookeeper.ZooKeeper;
import org.apache.zookeeper.server.ContainerManager;
import org.apache.zookeeper.server.RequestProcessor;
import org.apache.zookeeper.server.ServerCnxnFactory;
import org.apache.zookeeper.server.ZooKeeperServer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one standalone ZooKeeper server of this JVM that every ZooKeeper fixture shares: started by
 * the first fixture, listening on 127.0.0.1 only on a port the system picks, with its data in a
 * temporary directory; stopped, and the directory deleted, when the JVM exits.
 *
 * <p>Why shared: starting a server costs about 100 ms, which a test suite would pay per test.
 * Fixtures stay apart by namespace instead: each works under a chroot of its own that {@link
 * #createNamespace} makes and {@link #deleteNamespace} removes with everything under it. Session
 * ids are unique on the server, so the one {@link SessionCutter} relay in front of it serves every
 * fixture.
 *
 * <p>Its session limits are widened (0.5 s to 60 s) so tests get the timeout they ask for rather
 * than the server's tick-derived defaults. Like {@code ZooKeeperServerMain}, it runs a container
 * manager, so that emptied container nodes and expired TTL nodes go (every 100 ms unless {@code
 * znode.container.checkIntervalMs} says otherwise).
 *
 * <p>Thread-safe: the admin handle is ZooKeeper's own thread-safe client; {@link #shared()} is
 * synchronized.
 */
final class EmbeddedZooKeeperServer {
  private static final Logger LOG = LoggerFactory.getLogger(EmbeddedZooKeeperServer.class);
  private static final int TICK_MS = 50;
  private static final int ADMIN_SESSION_TIMEOUT_MS = 30_000;
  private static final long CONNECT_TIMEOUT_MS = 10_000;

  /** Guarded by the class: the server, once one started. */
  private static EmbeddedZooKeeperServer shared;

  /** The server, with the request pipeline the container manager submits its deletes to. */
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
  private final SessionCutter relay;
  /** A direct session that creates and deletes the fixtures' namespaces. */
  private final ZooKeeper admin;

  private EmbeddedZooKeeperServer(Path dataDir, Server server, ServerCnxnFactory factory) {
    this.dataDir = dataDir;
    this.server = server;
    this.factory = factory;
    this.containers = new ContainerManager(server.getZKDatabase(), server.pipeline(),
        Integer.getInteger("znode.container.checkIntervalMs", 100), 10_000);
    containers.start();
    this.relay = new SessionCutter(factory.getLocalPort());
    this.admin = connectAdmin(connectString());
  }

  /** The JVM's server, started on first use. */
  static synchronized EmbeddedZooKeeperServer shared() {
    if (shared == null) {
      EmbeddedZooKeeperServer started = startOnDaemonThread();
      Thread hook = new Thread(started::stop, "cohort-fixture-zk-shutdown");
      Runtime.getRuntime().addShutdownHook(hook);
      shared = started;
    }
    return shared;
  }

  /**
   * Starts the server from a daemon thread, so that the threads the server starts (which inherit
   * that) never keep the JVM alive: the server lives until the JVM exits, and must not be why it
   * does not.
   */
  private static EmbeddedZooKeeperServer startOnDaemonThread() {
    AtomicReference<EmbeddedZooKeeperServer> started = new AtomicReference<>();
    AtomicReference<Throwable> failed = new AtomicReference<>();
    Thread starter = new Thread(() -> {
      try {
        started.set(start());
      } catch (RuntimeException | Error e) {
        failed.set(e);
      }
    }, "cohort-fixture-zk-start");
    starter.setDaemon(true);
    starter.start();
    try {
      starter.join();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while starting an embedded ZooKeeper server", e);
    }
    Throwable failure = failed.get();
    if (failure instanceof Error e) {
      throw e; // a missing class among them: Engines turns it into the fixture's own message
    }
    if (failure != null) {
      throw (RuntimeException) failure;
    }
    return started.get();
  }

  private static EmbeddedZooKeeperServer start() {
    Path dir = null;
    Server zk = null;
    ServerCnxnFactory cnxn = null;
    try {
      dir = Files.createTempDirectory("cohort-zk-");
      zk = new Server(dir);
      zk.setMinSessionTimeout(500);
      zk.setMaxSessionTimeout(60_000);
      cnxn = ServerCnxnFactory.createFactory(new InetSocketAddress("127.0.0.1", 0), 1000);
      cnxn.startup(zk);
      return new EmbeddedZooKeeperServer(dir, zk, cnxn);
    } catch (IOException e) {
      stop(cnxn, zk, dir);
      throw new UncheckedIOException("could not start an embedded ZooKeeper server", e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      stop(cnxn, zk, dir);
      throw new IllegalStateException("interrupted while starting an embedded ZooKeeper server", e);
    } catch (RuntimeException e) {
      stop(cnxn, zk, dir);
      throw e;
    }
  }

  private static ZooKeeper connectAdmin(String connectString) {
    CountDownLatch connected = new CountDownLatch(1);
    try {
      ZooKeeper zk = new ZooKeeper(connectString, ADMIN_SESSION_TIMEOUT_MS, e -> {
        if (e.getState() == KeeperState.SyncConnected) {
          connected.countDown();
        }
      });
      if (!connected.await(CONNECT_TIMEOUT_MS, TimeUnit.MILLISECONDS)) {
        zk.close();
        throw new IllegalStateException("the embedded ZooKeeper server at " + connectString
            + " did not accept a connection within " + CONNECT_TIMEOUT_MS + " ms");
      }
      return zk;
    } catch (IOException e) {
      throw new UncheckedIOException("could not connect to the embedded ZooKeeper server", e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while connecting to the embedded ZooKeeper server", e);
    }
  }

  /** {@code 127.0.0.1:port}, without a chroot. */
  String connectString() {
    return "127.0.0.1:" + factory.getLocalPort();
  }

  SessionCutter relay() {
    return relay;
  }

  /** Makes the server expire {@code sessionId} now, as if its timeout had passed. */
  void expire(long sessionId) {
    server.expire(sessionId);
  }

  /** Creates the empty namespace {@code path} (one level under the root). */
  void createNamespace(String path) {
    try {
      admin.create(path, new byte[0], ZooDefs.Ids.OPEN_ACL_UNSAFE, CreateMode.PERSISTENT);
    } catch (KeeperException e) {
      throw new IllegalStateException("could not create the fixture's namespace " + path + ": " + e.getMessage(), e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while creating the fixture's namespace " + path, e);
    }
  }

  /**
   * Deletes {@code path} and everything under it. A session of the closed fixture that still
   * lives (one a test opened and never closed) may create a node meanwhile: the delete is tried
   * again a few times, then left, logged; the namespace is never reused.
   */
  void deleteNamespace(String path) {
    for (int attempt = 1; ; attempt++) {
      try {
        ZKUtil.deleteRecursive(admin, path);
        return;
      } catch (KeeperException.NoNodeException gone) {
        return;
      } catch (KeeperException e) {
        if (attempt == 3) {
          LOG.warn("left the closed fixture's namespace {} on the embedded server: {}", path, e.getMessage());
          return;
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      }
    }
  }

  private void stop() {
    try {
      admin.close();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    relay.close();
    containers.stop();
    stop(factory, server, dataDir);
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
        // a leftover temporary directory must not fail the run that used the server
      }
    }
  }
}
