package dev.cohort.examples.migration;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.cohort.recipes.Cohort;
import dev.cohort.recipes.ConnectionState;
import dev.cohort.recipes.ExponentialBackoff;
import dev.cohort.spi.CoordinationBackend;
import dev.cohort.spi.CreateMode;
import dev.cohort.zookeeper.ZooKeeperBackend;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.CuratorFrameworkFactory;
import org.apache.curator.retry.ExponentialBackoffRetry;
import org.junit.jupiter.api.Test;

/** The client: connect, namespace, session timeout, retries, a write and a read. */
class ClientMigrationTest extends MigrationTestBase {

  private final byte[] bytes = "max=100".getBytes(UTF_8);

  @Test
  void curatorClientWritesUnderItsNamespace() throws Exception {
    String connectString = server.getConnectString();
    // snippet: curator-client
    CuratorFramework client = CuratorFrameworkFactory.builder()
        .connectString(connectString)
        .namespace("orders-service")
        .sessionTimeoutMs(15_000)
        .retryPolicy(new ExponentialBackoffRetry(100, 5))
        .build();
    client.start();
    client.blockUntilConnected(10, TimeUnit.SECONDS);
    client.getConnectionStateListenable().addListener((c, state) -> log("connection " + state));
    client.create().creatingParentsIfNeeded().forPath("/config/limits", bytes);
    byte[] limits = client.getData().forPath("/config/limits");
    client.close();
    // end-snippet
    assertArrayEquals(bytes, limits);
    assertArrayEquals(bytes, curator().getData().forPath("/orders-service/config/limits"),
        "the namespace is a path prefix on the server");
  }

  @Test
  void cohortClientWritesUnderItsNamespaceOnTheSameServer() throws Exception {
    String connectString = server.getConnectString();
    // snippet: cohort-client
    CoordinationBackend backend = ZooKeeperBackend.connect(connectString);
    Cohort client = Cohort.builder(backend)
        .namespace("/orders-service")
        .sessionTimeout(Duration.ofSeconds(15))
        .retryPolicy(new ExponentialBackoff(
            Duration.ofMillis(100), Duration.ofSeconds(5), 5, Duration.ofSeconds(30)))
        .build();
    client.start();                                        // waits for the first session
    client.addConnectionStateListener((c, state) -> log("connection " + state));
    client.blocking().createWithParents("/config/limits", bytes, CreateMode.PERSISTENT);
    byte[] limits = client.blocking().getData("/config/limits", null).data();
    client.close();                                        // the backend outlives its clients
    backend.close();
    // end-snippet
    assertArrayEquals(bytes, limits);
    assertArrayEquals(bytes, curator().getData().forPath("/orders-service/config/limits"),
        "Curator reads what Cohort wrote: same server, same layout");
    assertEquals(ConnectionState.LOST, client.connectionState(), "a closed client's state is final");
  }

  private static void log(String message) {
    // The snippets log connection changes; the tests have nothing to do with them.
  }
}
