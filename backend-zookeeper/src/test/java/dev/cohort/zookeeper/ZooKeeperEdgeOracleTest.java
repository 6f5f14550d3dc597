package dev.cohort.zookeeper;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.apache.zookeeper.CreateMode;
import org.apache.zookeeper.KeeperException;
import org.apache.zookeeper.Op;
import org.apache.zookeeper.OpResult;
import org.apache.zookeeper.ZooDefs;
import org.apache.zookeeper.ZooKeeper;
import org.apache.zookeeper.Watcher.Event.KeeperState;
import org.apache.zookeeper.data.Stat;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The edges where Cohort's backends once differed from ZooKeeper, asked of a real 3.9.3 server
 * through the plain ZooKeeper client, with no Cohort code in between. These are the facts the
 * backend TCK pins for every backend (PathRules, Multi, Watch and BadInput conformance) and the
 * in-memory tree copies; if a ZooKeeper upgrade changes one, this test says which.
 */
class ZooKeeperEdgeOracleTest {

  private static EmbeddedZooKeeper server;
  private static ZooKeeper zk;

  @BeforeAll
  static void start() throws Exception {
    server = EmbeddedZooKeeper.start();
    zk = client();
  }

  @AfterAll
  static void stop() throws Exception {
    zk.close();
    server.close();
  }

  private static ZooKeeper client() throws Exception {
    return client(server);
  }

  private static ZooKeeper client(EmbeddedZooKeeper server) throws Exception {
    CountDownLatch connected = new CountDownLatch(1);
    ZooKeeper handle = new ZooKeeper(server.connectString(), 30_000, e -> {
      if (e.getState() == KeeperState.SyncConnected) {
        connected.countDown();
      }
    });
    assertTrue(connected.await(20, TimeUnit.SECONDS), "no connection to the embedded server");
    return handle;
  }

  @Test
  void reservedNodeHoldsConfigAndQuotaWithEveryStatFieldZero() throws Exception {
    // a server of its own: another test writes under /zookeeper
    try (EmbeddedZooKeeper fresh = EmbeddedZooKeeper.start()) {
      ZooKeeper zk = client(fresh);
      try {
        checkReservedNode(zk);
      } finally {
        zk.close();
      }
    }
  }

  private static void checkReservedNode(ZooKeeper zk) throws Exception {
    List<String> children = new ArrayList<>(zk.getChildren("/zookeeper", false));
    Collections.sort(children);
    assertEquals(List.of("config", "quota"), children);

    Stat reserved = new Stat();
    assertArrayEquals(new byte[0], zk.getData("/zookeeper", false, reserved));
    assertEquals(List.of(0L, 0L, 0L, 0L, 0L, 0L), List.of(reserved.getCzxid(), reserved.getMzxid(),
        reserved.getPzxid(), reserved.getCtime(), reserved.getMtime(), reserved.getEphemeralOwner()));
    assertEquals(0, reserved.getVersion());
    assertEquals(-2, reserved.getCversion()); // 2 x creates (0) - children (2): what DataTree reports
    assertEquals(2, reserved.getNumChildren());
    for (String system : List.of("/zookeeper/config", "/zookeeper/quota")) {
      Stat stat = zk.exists(system, false);
      assertEquals(0, stat.getCzxid(), system);
      assertEquals(0, stat.getNumChildren(), system);
      assertEquals(0, stat.getDataLength(), system);
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"/", "/zookeeper", "/zookeeper/config", "/zookeeper/quota"})
  void rootReservedNodeAndItsSystemChildrenCannotBeDeleted(String path) {
    assertThrows(KeeperException.BadArgumentsException.class, () -> zk.delete(path, -1));
  }

  @Test
  void aUserNodeUnderTheReservedNodeCanBeCreatedAndDeleted() throws Exception {
    zk.create("/zookeeper/x", new byte[0], ZooDefs.Ids.OPEN_ACL_UNSAFE, CreateMode.PERSISTENT);
    zk.delete("/zookeeper/x", -1);
    // /zookeeper/config is read-only by its ACL
    assertThrows(KeeperException.NoAuthException.class,
        () -> zk.create("/zookeeper/config/x", new byte[0], ZooDefs.Ids.OPEN_ACL_UNSAFE, CreateMode.PERSISTENT));
  }

  @Test
  void theRootExistsButASequentialCreateDirectlyUnderItIsAllowed() throws Exception {
    for (CreateMode mode : List.of(CreateMode.PERSISTENT, CreateMode.EPHEMERAL, CreateMode.CONTAINER)) {
      assertThrows(KeeperException.NodeExistsException.class,
          () -> zk.create("/", new byte[0], ZooDefs.Ids.OPEN_ACL_UNSAFE, mode), mode.toString());
    }
    String ephemeral = zk.create("/", new byte[0], ZooDefs.Ids.OPEN_ACL_UNSAFE, CreateMode.EPHEMERAL_SEQUENTIAL);
    String persistent = zk.create("/", new byte[0], ZooDefs.Ids.OPEN_ACL_UNSAFE, CreateMode.PERSISTENT_SEQUENTIAL);
    assertTrue(ephemeral.matches("/\\d{10}"), ephemeral);
    assertTrue(persistent.matches("/\\d{10}"), persistent);
    zk.delete(ephemeral, -1);
    zk.delete(persistent, -1);
  }

  @Test
  void aMultiIsRefusedForAnInvalidPathAnywhereBeforeAnyOpIsSent() {
    // The client validates every op before it sends the multi: the earlier op's failure on the
    // tree (NoNode, NodeExists) is never reached.
    assertThrows(IllegalArgumentException.class,
        () -> zk.multi(List.of(Op.delete("/missing", -1), Op.setData("/bad//p", new byte[0], -1))));
    assertThrows(IllegalArgumentException.class,
        () -> zk.multi(List.of(Op.create("/zookeeper", new byte[1], ZooDefs.Ids.OPEN_ACL_UNSAFE, CreateMode.PERSISTENT),
            Op.delete("bad", -1))));
    assertThrows(IllegalArgumentException.class,
        () -> zk.multi(List.of(Op.delete("/missing", -1), Op.getData("/x"))));
  }

  @Test
  void aMultiReportsTheFirstOpTheServerFailsEvenBeforeAReservedPathRefusal() throws Exception {
    KeeperException e = assertThrows(KeeperException.class,
        () -> zk.multi(List.of(Op.delete("/missing", -1), Op.delete("/zookeeper", -1))));
    assertEquals(KeeperException.Code.NONODE, e.code());
    List<OpResult> results = e.getResults();
    assertEquals(KeeperException.Code.NONODE.intValue(), ((OpResult.ErrorResult) results.get(0)).getErr());
    assertEquals(KeeperException.Code.RUNTIMEINCONSISTENCY.intValue(), ((OpResult.ErrorResult) results.get(1)).getErr());
  }

  @Test
  void aClosedHandleRefusesAnInvalidPathAsSuchAndAValidOneAsAGoneSession() throws Exception {
    ZooKeeper closed = client();
    closed.close();
    assertThrows(IllegalArgumentException.class,
        () -> closed.create("bad", new byte[0], ZooDefs.Ids.OPEN_ACL_UNSAFE, CreateMode.PERSISTENT));
    KeeperException e = assertThrows(KeeperException.class,
        () -> closed.create("/ok", new byte[2_000_000], ZooDefs.Ids.OPEN_ACL_UNSAFE, CreateMode.PERSISTENT));
    assertInstanceOf(KeeperException.SessionExpiredException.class, e);
  }

  @Test
  void aClosingSessionReceivesTheDeletionOfItsOwnWatchedEphemeral() throws Exception {
    ZooKeeper closing = client();
    closing.create("/own", new byte[0], ZooDefs.Ids.OPEN_ACL_UNSAFE, CreateMode.EPHEMERAL);
    List<String> events = new CopyOnWriteArrayList<>();
    closing.exists("/own", e -> events.add("exists " + e.getType() + " " + e.getPath()));
    closing.getData("/own", e -> events.add("getData " + e.getType() + " " + e.getPath()), null);
    closing.close();
    await().atMost(Duration.ofSeconds(10)).until(() -> events.size() == 2);
    assertEquals(List.of("exists NodeDeleted /own", "getData NodeDeleted /own"), events.stream().sorted().toList());
  }
}
