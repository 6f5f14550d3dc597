package dev.cohort.examples.migration;

import dev.cohort.recipes.Cohort;
import dev.cohort.testing.CohortFixture;
import dev.cohort.zookeeper.ZooKeeperBackend;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.concurrent.TimeUnit;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.CuratorFrameworkFactory;
import org.apache.curator.retry.RetryOneTime;
import org.apache.curator.test.TestingServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;

/**
 * What the migration tests share: one Curator {@link TestingServer} per test class, Curator clients
 * on it, and Cohort clients either on the same server (through {@link ZooKeeperBackend}, so both
 * libraries meet the same ZooKeeper) or on the in-memory backend. After each test every client is
 * closed and the server's tree is emptied, so the snippets can use the paths a reader would.
 */
abstract class MigrationTestBase {

  /** Where the Cohort side of a test runs. */
  enum Backend {
    IN_MEMORY,
    ZOOKEEPER
  }

  static TestingServer server;
  static ZooKeeperBackend zookeeper;
  /** Empties the tree between tests. */
  private static CuratorFramework admin;

  private final Deque<AutoCloseable> toClose = new ArrayDeque<>();
  private CohortFixture inMemory;

  @BeforeAll
  static void startServer() throws Exception {
    server = new TestingServer(true);
    zookeeper = ZooKeeperBackend.connect(server.getConnectString());
    admin = newCurator();
  }

  @AfterAll
  static void stopServer() throws Exception {
    admin.close();
    zookeeper.close();
    server.close();
  }

  @AfterEach
  void closeClientsAndEmptyTheTree() throws Exception {
    while (!toClose.isEmpty()) {
      toClose.pop().close();
    }
    if (inMemory != null) {
      inMemory.close();
      inMemory = null;
    }
    for (String child : admin.getChildren().forPath("/")) {
      if (!child.equals("zookeeper")) {
        admin.delete().deletingChildrenIfNeeded().forPath("/" + child);
      }
    }
  }

  /** Closes {@code resource} after the test (before the clients it depends on, if registered later). */
  <T extends AutoCloseable> T closeLater(T resource) {
    toClose.push(resource);
    return resource;
  }

  /** A started Curator client on the test server, closed after the test. */
  CuratorFramework curator() throws InterruptedException {
    CuratorFramework client = newCurator();
    return closeLater(client);
  }

  private static CuratorFramework newCurator() throws InterruptedException {
    CuratorFramework client = CuratorFrameworkFactory.newClient(server.getConnectString(), new RetryOneTime(10));
    client.start();
    if (!client.blockUntilConnected(10, TimeUnit.SECONDS)) {
      client.close();
      throw new IllegalStateException("Curator did not connect to " + server.getConnectString());
    }
    return client;
  }

  /** The in-memory fixture that {@link #cohort(Backend)} uses for {@link Backend#IN_MEMORY}. */
  CohortFixture inMemoryFixture() {
    if (inMemory == null) {
      inMemory = CohortFixture.inMemory();
    }
    return inMemory;
  }

  /** A started Cohort client (its own session) on {@code backend}, closed after the test. */
  Cohort cohort(Backend backend) throws InterruptedException {
    if (backend == Backend.IN_MEMORY) {
      return inMemoryFixture().newClient(); // the fixture closes its clients
    }
    Cohort client = Cohort.builder(zookeeper).sessionTimeout(Duration.ofSeconds(10)).build();
    closeLater(client);
    client.start();
    return client;
  }
}
