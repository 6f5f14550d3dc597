package dev.cohort.zookeeper;

import static dev.cohort.zookeeper.Futures.failure;
import static dev.cohort.zookeeper.Futures.join;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cohort.spi.BadArgumentsException;
import dev.cohort.spi.BadVersionException;
import dev.cohort.spi.Capability;
import dev.cohort.spi.Children;
import dev.cohort.spi.CoordinationBackend;
import dev.cohort.spi.CreateMode;
import dev.cohort.spi.Created;
import dev.cohort.spi.DataTooLargeException;
import dev.cohort.spi.InvalidPathException;
import dev.cohort.spi.NoChildrenForEphemeralsException;
import dev.cohort.spi.NoNodeException;
import dev.cohort.spi.NodeData;
import dev.cohort.spi.NodeExistsException;
import dev.cohort.spi.NotEmptyException;
import dev.cohort.spi.Op;
import dev.cohort.spi.OpResult;
import dev.cohort.spi.Paths;
import dev.cohort.spi.Session;
import dev.cohort.spi.Stat;
import dev.cohort.spi.UnimplementedException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Every SPI operation against a real ZooKeeper server: results, stats and typed errors. */
class ZooKeeperOperationsTest {

  private ZooKeeperFixture fixture;
  private Session session;

  @BeforeEach
  void start() {
    fixture = new ZooKeeperFixture();
    session = fixture.openSession();
  }

  @AfterEach
  void stop() {
    fixture.close();
  }

  private static byte[] bytes(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  private List<String> rootChildren() {
    List<String> names = new ArrayList<>(join(session.getChildren("/")).names());
    Collections.sort(names);
    return names;
  }

  @Test
  void createReturnsStatWhoseCzxidGrowsWithEveryCreate() {
    Created a = join(session.create("/a", bytes("x"), CreateMode.PERSISTENT));
    Created b = join(session.create("/b", bytes("yy"), CreateMode.PERSISTENT));

    assertEquals("/a", a.path());
    assertEquals(0, a.stat().version());
    assertEquals(1, a.stat().dataLength());
    assertEquals(0, a.stat().ephemeralOwner());
    assertEquals(a.stat().czxid(), a.stat().mzxid());
    assertTrue(b.stat().czxid() > a.stat().czxid(), "a later create has a larger czxid (fencing token)");
    assertEquals(a.stat(), join(session.exists("/a")), "create's stat is the node's stat");
  }

  @Test
  void sequentialCreateAppendsTenDigitCounterFromParentCversion() {
    join(session.create("/q", new byte[0], CreateMode.PERSISTENT));
    join(session.create("/q/other", new byte[0], CreateMode.PERSISTENT));

    Created first = join(session.create("/q/job-", new byte[0], CreateMode.PERSISTENT_SEQUENTIAL));
    Created second = join(session.create("/q/", new byte[0], CreateMode.EPHEMERAL_SEQUENTIAL));

    assertEquals("/q/job-0000000001", first.path());
    assertEquals("/q/0000000002", second.path(), "a prefix ending in / gives a name of the suffix alone");
    assertEquals(2, Paths.sequenceOf(second.name()));
    assertEquals(session.id(), second.stat().ephemeralOwner());
  }

  @Test
  void ephemeralNodeBelongsToItsSessionAndGoesWithIt() {
    Session other = fixture.openSession();
    Created e = join(session.create("/e", new byte[0], CreateMode.EPHEMERAL));
    assertEquals(session.id(), e.stat().ephemeralOwner());
    assertTrue(e.stat().isEphemeral());

    session.close();

    assertNull(join(other.exists("/e")));
  }

  @Test
  void getDataReturnsEveryByteAndSetDataReplacesThemAndCountsVersions() {
    join(session.create("/d", bytes("first value"), CreateMode.PERSISTENT));
    Stat after = join(session.setData("/d", bytes("2"), 0));
    NodeData read = join(session.getData("/d"));

    assertArrayEquals(bytes("2"), read.data());
    assertEquals(1, after.version());
    assertEquals(after, read.stat());
    assertTrue(after.mzxid() > after.czxid());
    assertArrayEquals(new byte[0], join(session.create("/empty", new byte[0], CreateMode.PERSISTENT)
        .thenCompose(c -> session.getData("/empty"))).data(), "an empty node reads as an empty array");
  }

  @Test
  void callerMayReuseItsArrayAsSoonAsTheCallReturns() {
    byte[] data = bytes("original");
    CompletableFuture<Created> created = session.create("/copy", data, CreateMode.PERSISTENT);
    data[0] = 'X';
    join(created);
    assertArrayEquals(bytes("original"), join(session.getData("/copy")).data());
  }

  @Test
  void setDataWithWrongVersionFailsWithBadVersionAndChangesNothing() {
    join(session.create("/v", bytes("keep"), CreateMode.PERSISTENT));

    BadVersionException e = failure(BadVersionException.class, session.setData("/v", bytes("lost"), 7));

    assertEquals("/v", e.path());
    NodeData now = join(session.getData("/v"));
    assertArrayEquals(bytes("keep"), now.data());
    assertEquals(0, now.stat().version());
    assertEquals(1, join(session.setData("/v", bytes("any"), -1)).version(), "version -1 matches any");
  }

  @Test
  void deleteWithWrongVersionFailsWithBadVersionAndKeepsTheNode() {
    join(session.create("/del", new byte[0], CreateMode.PERSISTENT));

    failure(BadVersionException.class, session.delete("/del", 3));

    assertNotNull(join(session.exists("/del")));
    join(session.delete("/del", 0));
    assertNull(join(session.exists("/del")));
  }

  @Test
  void createOfExistingPathFailsWithNodeExistsAndKeepsItsData() {
    join(session.create("/x", bytes("one"), CreateMode.PERSISTENT));

    failure(NodeExistsException.class, session.create("/x", bytes("two"), CreateMode.PERSISTENT));

    assertArrayEquals(bytes("one"), join(session.getData("/x")).data());
  }

  @Test
  void createUnderMissingParentFailsWithNoNodeAndCreatesNothing() {
    failure(NoNodeException.class, session.create("/missing/child", new byte[0], CreateMode.PERSISTENT));
    assertNull(join(session.exists("/missing")));
  }

  @Test
  void createUnderEphemeralFailsWithNoChildrenForEphemerals() {
    join(session.create("/eph", new byte[0], CreateMode.EPHEMERAL));

    failure(NoChildrenForEphemeralsException.class, session.create("/eph/c", new byte[0], CreateMode.PERSISTENT));

    assertEquals(0, join(session.exists("/eph")).numChildren());
  }

  @Test
  void deleteOfNodeWithChildrenFailsWithNotEmptyAndKeepsBoth() {
    join(session.create("/p", new byte[0], CreateMode.PERSISTENT));
    join(session.create("/p/c", new byte[0], CreateMode.PERSISTENT));

    failure(NotEmptyException.class, session.delete("/p", -1));

    assertNotNull(join(session.exists("/p/c")));
  }

  @Test
  void readsOfMissingNodes() {
    assertNull(join(session.exists("/nothing")));
    failure(NoNodeException.class, session.getData("/nothing"));
    failure(NoNodeException.class, session.getChildren("/nothing"));
    failure(NoNodeException.class, session.setData("/nothing", new byte[0], -1));
    failure(NoNodeException.class, session.delete("/nothing", -1));
  }

  @ParameterizedTest
  @ValueSource(strings = {"", "relative", "/trailing/", "/double//slash", "/dot/./x", "/dotdot/..", "/bad\u0001char", "/bad\ud800char"})
  void invalidPathIsRefusedWithInvalidPathAndChangesNothing(String path) {
    List<String> before = rootChildren();

    InvalidPathException e = failure(InvalidPathException.class, session.create(path, new byte[0], CreateMode.PERSISTENT));
    failure(InvalidPathException.class, session.getData(path));
    failure(InvalidPathException.class, session.exists(path));

    assertEquals(path, e.path());
    assertEquals(before, rootChildren());
  }

  @ParameterizedTest
  @ValueSource(strings = {"/", "/zookeeper", "/zookeeper/config", "/zookeeper/quota"})
  void rootAndReservedSubtreeCannotBeDeleted(String path) {
    failure(BadArgumentsException.class, session.delete(path, -1));
    assertNotNull(join(session.exists(path)));
  }

  /**
   * ZooKeeper lets a client create and delete its own nodes under /zookeeper (only the system
   * nodes are protected); the adapter used to refuse the delete of a node it had let be created.
   */
  @Test
  void userNodeUnderTheReservedSubtreeCanBeCreatedAndDeleted() {
    join(session.create("/zookeeper/x", bytes("x"), CreateMode.PERSISTENT));
    join(session.delete("/zookeeper/x", -1));
    assertNull(join(session.exists("/zookeeper/x")));
    assertEquals(2, join(session.getChildren("/zookeeper")).names().size());
  }

  @Test
  void dataOfExactlyTheLimitIsStoredWhole() {
    byte[] full = new byte[CoordinationBackend.DEFAULT_MAX_DATA_BYTES];
    full[full.length - 1] = 42;
    join(session.create("/big", full, CreateMode.PERSISTENT));
    assertArrayEquals(full, join(session.getData("/big")).data());
  }

  @Test
  void dataAboveTheLimitFailsWithDataTooLargeAndChangesNothing() {
    byte[] tooBig = new byte[CoordinationBackend.DEFAULT_MAX_DATA_BYTES + 1];
    failure(DataTooLargeException.class, session.create("/big", tooBig, CreateMode.PERSISTENT));
    assertNull(join(session.exists("/big")));

    join(session.create("/small", bytes("s"), CreateMode.PERSISTENT));
    failure(DataTooLargeException.class, session.setData("/small", tooBig, -1));
    NodeData still = join(session.getData("/small"));
    assertArrayEquals(bytes("s"), still.data());
    assertEquals(0, still.stat().version());
    assertTrue(session.state().isConnected(), "the refusal did not cost the connection");
  }

  @Test
  void getChildrenReturnsNamesWithTheParentStat() {
    join(session.create("/kids", new byte[0], CreateMode.PERSISTENT));
    join(session.create("/kids/a", new byte[0], CreateMode.PERSISTENT));
    join(session.create("/kids/b", new byte[0], CreateMode.EPHEMERAL));
    join(session.delete("/kids/a", -1));
    join(session.create("/kids/c", new byte[0], CreateMode.PERSISTENT));

    Children kids = join(session.getChildren("/kids"));

    assertEquals(Set.of("b", "c"), Set.copyOf(kids.names()));
    assertEquals(2, kids.stat().numChildren());
    assertEquals(4, kids.stat().cversion(), "every child create and delete counts");
    assertEquals(join(session.exists("/kids/c")).czxid(), kids.stat().pzxid());
  }

  @Test
  void writeMultiAppliesEveryOpAndReturnsResultsInOrder() {
    join(session.create("/m", bytes("0"), CreateMode.PERSISTENT));
    join(session.create("/gone", new byte[0], CreateMode.PERSISTENT));

    List<OpResult> results = join(session.multi(List.of(
        Op.check("/m", 0),
        Op.create("/m/seq-", bytes("c"), CreateMode.PERSISTENT_SEQUENTIAL),
        Op.setData("/m", bytes("1"), 0),
        Op.delete("/gone", -1))));

    assertInstanceOf(OpResult.CheckResult.class, results.get(0));
    assertEquals("/m/seq-0000000000", ((OpResult.CreateResult) results.get(1)).path());
    Stat afterSet = ((OpResult.SetDataResult) results.get(2)).stat();
    assertEquals(1, afterSet.version());
    assertInstanceOf(OpResult.DeleteResult.class, results.get(3));
    assertNull(join(session.exists("/gone")));
    assertEquals(afterSet.mzxid(), join(session.exists("/m/seq-0000000000")).czxid(), "one transaction, one zxid");
  }

  @Test
  void failingMultiChangesNothingAndNamesTheOpThatFailed() {
    join(session.create("/m", bytes("0"), CreateMode.PERSISTENT));

    BadVersionException e = failure(BadVersionException.class, session.multi(List.of(
        Op.create("/m/a", new byte[0], CreateMode.PERSISTENT),
        Op.setData("/m", bytes("1"), -1),
        Op.check("/m", 0))));

    assertEquals(2, e.opIndex());
    assertEquals("/m", e.path());
    assertNull(join(session.exists("/m/a")));
    assertArrayEquals(bytes("0"), join(session.getData("/m")).data());
  }

  @Test
  void multiThatMixesReadsAndWritesOrIsEmptyIsRefused() {
    join(session.create("/m", new byte[0], CreateMode.PERSISTENT));

    BadArgumentsException mixed = failure(BadArgumentsException.class, session.multi(List.of(
        Op.create("/m/a", new byte[0], CreateMode.PERSISTENT), Op.getData("/m"))));
    failure(BadArgumentsException.class, session.multi(List.of()));

    assertEquals(1, mixed.opIndex());
    assertNull(join(session.exists("/m/a")));
  }

  @Test
  void multiWithAnInvalidOpIsRefusedBeforeAnythingIsSent() {
    InvalidPathException e = failure(InvalidPathException.class, session.multi(List.of(
        Op.create("/ok", new byte[0], CreateMode.PERSISTENT),
        Op.create("/not ok/", new byte[0], CreateMode.PERSISTENT))));
    assertEquals(1, e.opIndex());
    assertNull(join(session.exists("/ok")));

    BadArgumentsException protectedDelete = failure(BadArgumentsException.class,
        session.multi(List.of(Op.create("/ok", new byte[0], CreateMode.PERSISTENT), Op.delete("/zookeeper", -1))));
    assertEquals(1, protectedDelete.opIndex());
    assertNull(join(session.exists("/ok")));
  }

  @Test
  void readMultiReturnsDataAndChildren() {
    join(session.create("/r", bytes("data"), CreateMode.PERSISTENT));
    join(session.create("/r/kid", new byte[0], CreateMode.PERSISTENT));

    List<OpResult> results = join(session.multi(List.of(Op.getData("/r"), Op.getChildren("/r"))));

    OpResult.GetDataResult data = (OpResult.GetDataResult) results.get(0);
    assertArrayEquals(bytes("data"), data.data());
    assertEquals(1, data.stat().numChildren());
    assertEquals(List.of("kid"), ((OpResult.GetChildrenResult) results.get(1)).children());
  }

  @Test
  void readMultiOfMissingNodeFailsWithNoNodeAtThatOp() {
    join(session.create("/r", new byte[0], CreateMode.PERSISTENT));
    NoNodeException e = failure(NoNodeException.class,
        session.multi(List.of(Op.getData("/r"), Op.getChildren("/absent"))));
    assertEquals(1, e.opIndex());
  }

  @Test
  void syncThenReadSeesWritesOfOtherSessions() {
    Session writer = fixture.openSession();
    join(writer.create("/s", bytes("new"), CreateMode.PERSISTENT));

    join(session.sync("/s"));

    assertArrayEquals(bytes("new"), join(session.getData("/s")).data());
  }

  @Test
  void capabilityProbeFindsWhatTheServerOffersWithoutWritingAnything() {
    List<String> before = rootChildren();
    try (ZooKeeperBackend probed = ZooKeeperBackend.connect(fixture.server().connectString())) {
      assertEquals(Set.of(Capability.PERSISTENT_WATCHES, Capability.CONTAINER_NODES, Capability.TTL_NODES,
              Capability.MULTI_EVENTS_PER_OP),
          probed.capabilities(), "the test server runs 3.9 with zookeeper.extendedTypesEnabled=true");
    }
    assertEquals(before, rootChildren());
  }

  @Test
  void containerNodeBelongsToNoSession() {
    Created c = join(session.create("/c", bytes("x"), CreateMode.CONTAINER));
    assertEquals(0, c.stat().ephemeralOwner());
    assertFalse(c.stat().isEphemeral());
    join(session.create("/c/child", new byte[0], CreateMode.PERSISTENT));
    assertEquals(1, join(session.exists("/c")).numChildren());
  }

  @Test
  void ttlNodeIsCreatedAndBelongsToNoSession() {
    Created t = join(session.create("/t", bytes("x"), CreateMode.PERSISTENT_WITH_TTL, Duration.ofMinutes(5)));
    Created ts = join(session.create("/t/s-", new byte[0], CreateMode.PERSISTENT_SEQUENTIAL_WITH_TTL, Duration.ofMinutes(5)));

    assertEquals(0, t.stat().ephemeralOwner());
    assertEquals(0, join(session.exists("/t")).ephemeralOwner());
    assertEquals("/t/s-0000000000", ts.path());
  }

  @Test
  void emptiedContainerIsRemovedByTheServer() {
    join(session.create("/box", new byte[0], CreateMode.CONTAINER));
    join(session.create("/box/item", new byte[0], CreateMode.PERSISTENT));
    join(session.delete("/box/item", -1));

    org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(10))
        .until(() -> join(session.exists("/box")) == null);
  }

  @Test
  void ttlNodeIsRemovedOnceUnmodifiedForItsTtl() {
    join(session.create("/short", new byte[0], CreateMode.PERSISTENT_WITH_TTL, Duration.ofMillis(300)));
    join(session.create("/long", new byte[0], CreateMode.PERSISTENT_WITH_TTL, Duration.ofHours(1)));

    org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(10))
        .until(() -> join(session.exists("/short")) == null);
    assertNotNull(join(session.exists("/long")));
  }

  @Test
  void ttlArgumentsAreCheckedBeforeSending() {
    failure(BadArgumentsException.class, session.create("/t", new byte[0], CreateMode.PERSISTENT_WITH_TTL));
    failure(BadArgumentsException.class, session.create("/t", new byte[0], CreateMode.PERSISTENT, Duration.ofSeconds(1)));
    failure(BadArgumentsException.class, session.create("/t", new byte[0], CreateMode.PERSISTENT_WITH_TTL, Duration.ZERO));
    failure(BadArgumentsException.class, session.create("/t", new byte[0], CreateMode.PERSISTENT_WITH_TTL, Duration.ofMillis(-5)));
    assertNull(join(session.exists("/t")));
  }

  @Test
  void modesOutsideDeclaredCapabilitiesFailWithUnimplemented() {
    try (ZooKeeperBackend plain = ZooKeeperBackend.builder()
        .connectString(fixture.server().connectString())
        .capabilities(Set.of())
        .build()) {
      Session s = join(plain.openSession());
      failure(UnimplementedException.class, s.create("/t", new byte[0], CreateMode.PERSISTENT_WITH_TTL, Duration.ofSeconds(9)));
      failure(UnimplementedException.class, s.create("/c", new byte[0], CreateMode.CONTAINER));
      failure(UnimplementedException.class, s.addWatch("/", dev.cohort.spi.WatchMode.PERSISTENT, e -> { }));
      assertNull(join(s.exists("/t")));
      assertNull(join(s.exists("/c")));
    }
  }

  @Test
  void completionsArriveInIssueOrderIncludingLocallyRefusedOps() {
    List<Integer> order = Collections.synchronizedList(new ArrayList<>());
    List<CompletableFuture<?>> all = new ArrayList<>();
    for (int i = 0; i < 30; i++) {
      int n = i;
      String path = i % 3 == 1 ? "bad path " + i : "/o" + i;
      all.add(session.create(path, new byte[0], CreateMode.PERSISTENT).handle((r, t) -> order.add(n)));
    }
    join(CompletableFuture.allOf(all.toArray(CompletableFuture[]::new)));

    List<Integer> expected = new ArrayList<>();
    for (int i = 0; i < 30; i++) {
      expected.add(i);
    }
    assertEquals(expected, order);
  }
}
