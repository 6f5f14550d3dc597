package dev.cohort.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.cohort.testing.CohortFixture;
import java.io.PrintWriter;
import java.io.StringWriter;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** {@code --zookeeper host:port} runs the stories on a real ZooKeeper server (started in this JVM). */
class DemoOnZooKeeperTest {

  private CohortFixture server;

  @BeforeEach
  void startServer() {
    server = CohortFixture.zookeeper();
  }

  @AfterEach
  void stopServer() {
    server.close();
  }

  private int run(String... args) {
    return Demo.commandLine(new PrintWriter(new StringWriter()), new PrintWriter(new StringWriter())).execute(args);
  }

  @Test
  void discoveryAndLeaderStoriesSucceedOnARealServer() {
    String zk = server.zookeeperConnectString().orElseThrow();
    assertEquals(0, run("discovery", "--zookeeper", zk, "--instances", "3"));
    assertEquals(0, run("leader", "--zookeeper", zk, "--participants", "3", "--rounds", "2"));
  }
}
