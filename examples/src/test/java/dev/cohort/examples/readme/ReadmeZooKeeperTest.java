package dev.cohort.examples.readme;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cohort.recipes.Cohort;
import dev.cohort.recipes.ConnectionState;
import dev.cohort.spi.CoordinationBackend;
import dev.cohort.spi.CreateMode;
import dev.cohort.spi.NodeData;
import dev.cohort.testing.CohortFixture;
import dev.cohort.zookeeper.ZooKeeperBackend;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** README's client and "Running on ZooKeeper" snippets, run against an embedded ZooKeeper server. */
class ReadmeZooKeeperTest {
  private static final Logger log = LoggerFactory.getLogger(ReadmeZooKeeperTest.class);

  private static CohortFixture server;
  private static String connectString;

  private final List<String> reloads = new CopyOnWriteArrayList<>();
  private final List<ConnectionState> states = new CopyOnWriteArrayList<>();

  @BeforeAll
  static void startServer() {
    server = CohortFixture.zookeeper();
    connectString = server.zookeeperConnectString().orElseThrow(); // "zk1:2181,zk2:2181,zk3:2181"
  }

  @AfterAll
  static void stopServer() {
    server.close();
  }

  @Test
  void theClientSnippetRunsOnZooKeeper() throws Exception {
    byte[] bytes = "max=10".getBytes(UTF_8);
    // snippet: readme-client
    CoordinationBackend backend = ZooKeeperBackend.connect(connectString);
    Cohort client = Cohort.builder(backend)
        .namespace("/orders-service")
        .sessionTimeout(Duration.ofSeconds(15))
        .build();
    client.start();                                            // waits for the first session
    client.addConnectionStateListener((c, state) -> log.info("connection {}", state));
    client.blocking().createWithParents("/config/limits", bytes, CreateMode.PERSISTENT);
    NodeData limits = client.blocking().getData("/config/limits", event -> reload());
    client.close();                                            // ephemerals go with the session
    // end-snippet
    assertArrayEquals(bytes, limits.data());
    try (Cohort other = Cohort.builder(backend).build()) {
      other.start();
      assertTrue(other.blocking().exists("/orders-service/config/limits", null) != null,
          "the namespace prefixes every path");
    }
    backend.close();
  }

  @Test
  void theBuilderSnippetStartsAClient() throws Exception {
    // snippet: readme-zookeeper
    ZooKeeperBackend backend = ZooKeeperBackend.builder()
        .connectString(connectString)
        .defaultSessionTimeout(Duration.ofSeconds(15))
        .build();
    Cohort client = Cohort.builder(backend).namespace("/my-service").build();
    client.start();
    // end-snippet
    client.addConnectionStateListener((c, state) -> states.add(state));
    client.blocking().createWithParents("/hello", new byte[0], CreateMode.PERSISTENT);
    assertEquals(0, client.blocking().getData("/hello", null).data().length);
    client.close();
    backend.close();
  }

  private void reload() {
    reloads.add("reload");
  }
}
