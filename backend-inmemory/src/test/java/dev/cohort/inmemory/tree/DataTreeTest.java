package dev.cohort.inmemory.tree;

import static dev.cohort.inmemory.tree.TreeDriver.bytes;
import static dev.cohort.inmemory.tree.TreeDriver.content;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cohort.spi.CreateMode;
import dev.cohort.spi.ErrorCode;
import dev.cohort.spi.NodeData;
import dev.cohort.spi.Stat;
import dev.cohort.spi.WatchEvent;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The tree state machine: stats, sequential names, multi atomicity, sessions, sweeps, snapshots. */
class DataTreeTest {
  private final TreeDriver d = new TreeDriver();

  private Outcome.Failed failed(TxnOp op) {
    ApplyResult result = d.apply(1, op);
    assertTrue(result.changes().isEmpty(), "a failed transaction reports no change");
    return assertInstanceOf(Outcome.Failed.class, result.outcome());
  }

  @Test
  void createStampsZxidAndTimeAndBumpsParentCversionAndPzxid() {
    d.create("/p");
    d.timeMillis = 5_000;
    Outcome.Created created = (Outcome.Created) d.create("/p/c");
    Stat c = created.stat();
    assertEquals(d.zxid, c.czxid());
    assertEquals(d.zxid, c.mzxid());
    assertEquals(d.zxid, c.pzxid());
    assertEquals(5_000, c.ctime());
    assertEquals(5_000, c.mtime());
    Stat p = d.tree.stat("/p");
    assertEquals(1, p.cversion());
    assertEquals(d.zxid, p.pzxid());
    assertEquals(1, p.numChildren());
    assertTrue(p.mzxid() < d.zxid, "a child create does not touch the parent's data zxid");
  }

  @Test
  void setDataBumpsVersionAndMzxidAndReplacesAllBytes() {
    d.create("/n");
    d.timeMillis = 9_000;
    ApplyResult r = d.apply(new TxnOp.SetData("/n", bytes("abc"), 0));
    Stat stat = ((Outcome.DataSet) r.outcome()).stat();
    assertEquals(1, stat.version());
    assertEquals(d.zxid, stat.mzxid());
    assertEquals(9_000, stat.mtime());
    assertEquals(List.of(new Change(WatchEvent.Type.NODE_DATA_CHANGED, "/n")), r.changes());
    assertArrayEquals(bytes("abc"), d.tree.getData("/n").data());
  }

  @Test
  void deleteReportsTheNodeAndItsParentAndCountsInTheParentsCversionAndPzxid() {
    d.create("/p");
    d.create("/p/c");
    ApplyResult r = d.apply(new TxnOp.DeleteNode("/p/c", 0));
    assertEquals(List.of(new Change(WatchEvent.Type.NODE_DELETED, "/p/c"),
        new Change(WatchEvent.Type.NODE_CHILDREN_CHANGED, "/p")), r.changes());
    assertEquals(2, d.tree.stat("/p").cversion(), "the reported cversion counts the create and the delete, as on the real server");
    assertEquals(d.zxid, d.tree.stat("/p").pzxid());
    assertEquals(0, d.tree.stat("/p").numChildren());
  }

  @Test
  void conditionalWritesFailWithBadVersionAndChangeNothing() {
    d.create("/v");
    Map<String, NodeData> before = content(d.tree);
    assertEquals(ErrorCode.BAD_VERSION, failed(new TxnOp.SetData("/v", bytes("x"), 3)).code());
    assertEquals(ErrorCode.BAD_VERSION, failed(new TxnOp.DeleteNode("/v", 1)).code());
    assertEquals(before, content(d.tree));
  }

  @Test
  void structuralErrorsAreTypedOutcomesAndChangeNothing() {
    d.create("/full");
    d.create("/full/kid");
    d.apply(1, new TxnOp.CreateSession(10_000));
    d.apply(1, new TxnOp.CreateNode("/eph", new byte[0], CreateMode.EPHEMERAL, 0));
    Map<String, NodeData> before = content(d.tree);
    assertEquals(ErrorCode.NOT_EMPTY, failed(new TxnOp.DeleteNode("/full", -1)).code());
    assertEquals(ErrorCode.NO_NODE, failed(new TxnOp.CreateNode("/missing/kid", new byte[0], CreateMode.PERSISTENT, 0)).code());
    assertEquals(ErrorCode.NODE_EXISTS, failed(new TxnOp.CreateNode("/full", new byte[0], CreateMode.PERSISTENT, 0)).code());
    assertEquals(ErrorCode.NO_CHILDREN_FOR_EPHEMERALS, failed(new TxnOp.CreateNode("/eph/kid", new byte[0], CreateMode.PERSISTENT, 0)).code());
    assertEquals(ErrorCode.NO_NODE, failed(new TxnOp.DeleteNode("/nothing", -1)).code());
    assertEquals(ErrorCode.NO_NODE, failed(new TxnOp.SetData("/nothing", new byte[0], -1)).code());
    assertEquals(before, content(d.tree));
  }

  @ParameterizedTest
  @ValueSource(strings = {"", "a", "/a/", "//a", "/a//b", "/.", "/a/..", "/a\u0000b", "/a\u001fb", "/a\u007fb",
      "/a\u009fb", "/a\ud800b", "/a\uf8ffb", "/a\ufff0b", "/a\uffffb"})
  void everyInvalidPathIsRefusedWithInvalidPathAndChangesNothing(String path) {
    d.create("/a");
    Map<String, NodeData> before = content(d.tree);
    assertEquals(ErrorCode.INVALID_PATH, failed(new TxnOp.CreateNode(path, new byte[0], CreateMode.PERSISTENT, 0)).code());
    assertEquals(ErrorCode.INVALID_PATH, failed(new TxnOp.SetData(path, new byte[0], -1)).code());
    assertEquals(ErrorCode.INVALID_PATH, failed(new TxnOp.DeleteNode(path, -1)).code());
    assertEquals(ErrorCode.INVALID_PATH, failed(new TxnOp.Check(path, -1)).code());
    assertEquals(before, content(d.tree));
  }

  @Test
  void dotsInsideANameAreAllowed() {
    assertInstanceOf(Outcome.Created.class, d.create("/a.b"));
    assertInstanceOf(Outcome.Created.class, d.create("/..c"));
  }

  @Test
  void dataOverTheLimitIsRefusedAndTheLimitItselfIsAccepted() {
    TreeDriver small = new TreeDriver(new DataTree(8));
    assertInstanceOf(Outcome.Created.class,
        small.apply(new TxnOp.CreateNode("/ok", new byte[8], CreateMode.PERSISTENT, 0)).outcome());
    Map<String, NodeData> before = content(small.tree);
    Outcome create = small.apply(new TxnOp.CreateNode("/big", new byte[9], CreateMode.PERSISTENT, 0)).outcome();
    Outcome set = small.apply(new TxnOp.SetData("/ok", new byte[9], -1)).outcome();
    assertEquals(ErrorCode.DATA_TOO_LARGE, ((Outcome.Failed) create).code());
    assertEquals(ErrorCode.DATA_TOO_LARGE, ((Outcome.Failed) set).code());
    assertEquals(before, content(small.tree));
  }

  @Test
  void rootAndZookeeperAreProtected() {
    Map<String, NodeData> before = content(d.tree);
    assertEquals(ErrorCode.BAD_ARGUMENTS, failed(new TxnOp.DeleteNode("/", -1)).code());
    assertEquals(ErrorCode.BAD_ARGUMENTS, failed(new TxnOp.DeleteNode("/zookeeper", -1)).code());
    assertEquals(ErrorCode.BAD_ARGUMENTS, failed(new TxnOp.CreateNode("/zookeeper/x", new byte[0], CreateMode.PERSISTENT, 0)).code());
    assertEquals(ErrorCode.BAD_ARGUMENTS, failed(new TxnOp.SetData("/zookeeper", bytes("x"), -1)).code());
    assertEquals(ErrorCode.NODE_EXISTS, failed(new TxnOp.CreateNode("/zookeeper", new byte[0], CreateMode.PERSISTENT, 0)).code());
    assertEquals(ErrorCode.NODE_EXISTS, failed(new TxnOp.CreateNode("/", new byte[0], CreateMode.PERSISTENT, 0)).code());
    assertEquals(before, content(d.tree));
  }

  @Test
  void sequentialNamesComeFromTheParentCversionAndAreNotDense() {
    d.create("/q");
    assertEquals("/q/job-0000000000", ((Outcome.Created) d.create("/q/job-", CreateMode.PERSISTENT_SEQUENTIAL)).path());
    d.create("/q/other");
    d.apply(new TxnOp.DeleteNode("/q/other", -1));
    assertEquals("/q/job-0000000002", ((Outcome.Created) d.create("/q/job-", CreateMode.PERSISTENT_SEQUENTIAL)).path(),
        "the create of /q/other took number 1; its delete took none");
    assertEquals("/q/0000000003", ((Outcome.Created) d.create("/q/", CreateMode.PERSISTENT_SEQUENTIAL)).path());
  }

  @Test
  void sequenceCounterWrapsFromMaxIntToMinInt() {
    d.create("/w");
    d.tree.setChildVersionForTest("/w", Integer.MAX_VALUE);
    assertEquals("/w/n2147483647", ((Outcome.Created) d.create("/w/n", CreateMode.PERSISTENT_SEQUENTIAL)).path());
    assertEquals("/w/n-2147483648", ((Outcome.Created) d.create("/w/n", CreateMode.PERSISTENT_SEQUENTIAL)).path());
    assertEquals("/w/n-2147483647", ((Outcome.Created) d.create("/w/n", CreateMode.PERSISTENT_SEQUENTIAL)).path());
    d.tree.setChildVersionForTest("/w", -5);
    assertEquals("/w/n-000000005", ((Outcome.Created) d.create("/w/n", CreateMode.PERSISTENT_SEQUENTIAL)).path());
  }

  @Test
  void failedMultiRollsBackEveryEarlierOpAndNamesTheFailingOne() {
    d.create("/m");
    d.create("/m/keep");
    Map<String, NodeData> before = content(d.tree);
    Outcome.Failed f = failed(new TxnOp.Multi(List.of(
        new TxnOp.CreateNode("/m/new", bytes("n"), CreateMode.PERSISTENT, 0),
        new TxnOp.SetData("/m/keep", bytes("changed"), -1),
        new TxnOp.DeleteNode("/m/keep", -1),
        new TxnOp.CreateNode("/m/s-", new byte[0], CreateMode.PERSISTENT_SEQUENTIAL, 0),
        new TxnOp.Check("/m/keep", -1))));
    assertEquals(ErrorCode.NO_NODE, f.code());
    assertEquals(4, f.opIndex());
    assertEquals("/m/keep", f.path());
    assertEquals(before, content(d.tree));
    assertEquals("/m/s-0000000001", ((Outcome.Created) d.create("/m/s-", CreateMode.PERSISTENT_SEQUENTIAL)).path(),
        "the rolled-back sequential create did not consume a sequence number");
  }

  /**
   * Lookups are cached (find): a path looked up just before its node leaves the tree, by a delete,
   * a multi's rollback of its own create, or its session's end, must not find the old node, and a
   * node created again at that path must be the one found.
   */
  @Test
  void aPathLookedUpBeforeItsNodeLeftFindsWhatIsThereNow() {
    d.create("/c");
    d.create("/c/n");
    d.apply(new TxnOp.SetData("/c/n", bytes("old"), -1));
    assertArrayEquals(bytes("old"), d.tree.getData("/c/n").data());
    d.apply(new TxnOp.DeleteNode("/c/n", -1));
    assertNull(d.tree.stat("/c/n"));
    assertEquals(ErrorCode.NO_NODE, failed(new TxnOp.SetData("/c/n", bytes("x"), -1)).code());
    d.create("/c/n");
    assertEquals(d.zxid, d.tree.stat("/c/n").czxid(), "the node created again, not the deleted one");
    assertEquals(0, d.tree.getData("/c/n").data().length);

    // Rollback: the multi looks up its own new node (setData), then fails and undoes the create.
    failed(new TxnOp.Multi(List.of(
        new TxnOp.CreateNode("/c/r", bytes("r"), CreateMode.PERSISTENT, 0),
        new TxnOp.SetData("/c/r", bytes("r2"), -1),
        new TxnOp.Check("/c/missing", -1))));
    assertNull(d.tree.stat("/c/r"));
    assertEquals(ErrorCode.NO_NODE, failed(new TxnOp.Check("/c/r", -1)).code());

    // Session end: its ephemeral, looked up just before, is gone with it.
    d.apply(7, new TxnOp.CreateSession(10_000));
    d.apply(7, new TxnOp.CreateNode("/c/e", new byte[0], CreateMode.EPHEMERAL, 0));
    assertNotNull(d.tree.stat("/c/e"));
    d.apply(7, new TxnOp.CloseSession());
    assertNull(d.tree.stat("/c/e"));
    assertEquals(ErrorCode.NO_NODE, failed(new TxnOp.SetData("/c/e", bytes("x"), -1)).code());
  }

  @Test
  void successfulMultiAppliesAllOpsAndReportsTheirChangesInOrder() {
    d.create("/m");
    ApplyResult r = d.apply(new TxnOp.Multi(List.of(
        new TxnOp.Check("/m", 0),
        new TxnOp.CreateNode("/m/a", new byte[0], CreateMode.PERSISTENT, 0),
        new TxnOp.SetData("/m", bytes("x"), 0))));
    Outcome.MultiDone done = (Outcome.MultiDone) r.outcome();
    assertEquals(3, done.results().size());
    assertEquals(List.of(new Change(WatchEvent.Type.NODE_CREATED, "/m/a"),
        new Change(WatchEvent.Type.NODE_CHILDREN_CHANGED, "/m"),
        new Change(WatchEvent.Type.NODE_DATA_CHANGED, "/m")), r.changes());
    assertEquals(d.zxid, d.tree.stat("/m/a").czxid());
    assertEquals(d.zxid, d.tree.stat("/m").mzxid(), "all ops of a multi share its zxid");
  }

  @Test
  void emptyOrNestedMultiIsBadArguments() {
    assertEquals(ErrorCode.BAD_ARGUMENTS, failed(new TxnOp.Multi(List.of())).code());
    Outcome.Failed nested = failed(new TxnOp.Multi(List.of(new TxnOp.Multi(List.of(new TxnOp.Check("/", -1))))));
    assertEquals(ErrorCode.BAD_ARGUMENTS, nested.code());
    assertEquals(0, nested.opIndex());
  }

  @Test
  void closingASessionDeletesExactlyItsEphemeralsAndReportsTheChanges() {
    d.apply(7, new TxnOp.CreateSession(5_000));
    d.apply(8, new TxnOp.CreateSession(5_000));
    d.create("/g");
    d.apply(7, new TxnOp.CreateNode("/g/a", new byte[0], CreateMode.EPHEMERAL, 0));
    d.apply(7, new TxnOp.CreateNode("/g/b-", new byte[0], CreateMode.EPHEMERAL_SEQUENTIAL, 0));
    d.apply(8, new TxnOp.CreateNode("/g/other", new byte[0], CreateMode.EPHEMERAL, 0));
    assertEquals(List.of("/g/a", "/g/b-0000000001"), d.tree.ephemerals(7));
    assertEquals(7, d.tree.stat("/g/a").ephemeralOwner());
    ApplyResult r = d.apply(7, new TxnOp.CloseSession());
    assertEquals(new Outcome.SessionClosed(List.of("/g/a", "/g/b-0000000001")), r.outcome());
    assertEquals(4, r.changes().size());
    assertNull(d.tree.stat("/g/a"));
    assertNotNull(d.tree.stat("/g/other"));
    assertFalse(d.tree.hasSession(7));
    assertEquals(ErrorCode.SESSION_EXPIRED, failed(new TxnOp.CloseSession()).code(), "session 1 was never created");
  }

  @Test
  void ephemeralCreateForAnUnknownSessionFailsWithSessionExpired() {
    ApplyResult r = d.apply(42, new TxnOp.CreateNode("/late", new byte[0], CreateMode.EPHEMERAL, 0));
    assertEquals(ErrorCode.SESSION_EXPIRED, ((Outcome.Failed) r.outcome()).code());
    assertNull(d.tree.stat("/late"));
  }

  @Test
  void containerIsSweptOnlyOnceItHadAChildAndIsEmpty() {
    d.create("/never", CreateMode.CONTAINER);
    d.create("/used", CreateMode.CONTAINER);
    d.create("/used/kid");
    assertEquals(List.of(), d.tree.sweepCandidates(d.timeMillis));
    d.apply(new TxnOp.DeleteNode("/used/kid", -1));
    assertEquals(List.of("/used"), d.tree.sweepCandidates(d.timeMillis));
    ApplyResult r = d.apply(new TxnOp.Sweep(List.of("/used", "/never", "/gone")));
    assertEquals(new Outcome.Swept(List.of("/used")), r.outcome());
    assertEquals(new Change(WatchEvent.Type.NODE_DELETED, "/used"), r.changes().get(0));
    assertNull(d.tree.stat("/used"));
    assertNotNull(d.tree.stat("/never"));
  }

  @Test
  void ttlNodeIsSweptWhenUnmodifiedForLongerThanItsTtlAndChildless() {
    d.apply(new TxnOp.CreateNode("/t", new byte[0], CreateMode.PERSISTENT_WITH_TTL, 1_000));
    d.apply(new TxnOp.CreateNode("/parent", new byte[0], CreateMode.PERSISTENT_WITH_TTL, 1_000));
    d.create("/parent/kid");
    d.timeMillis += 600;
    d.apply(new TxnOp.SetData("/t", bytes("touch"), -1));
    d.timeMillis += 600;
    assertEquals(List.of(), d.tree.sweepCandidates(d.timeMillis), "/t was modified 600 ms ago; /parent has a child");
    d.timeMillis += 500;
    assertEquals(List.of("/t"), d.tree.sweepCandidates(d.timeMillis));
    // a sweep proposed earlier is re-checked against the transaction's own time
    d.timeMillis -= 500;
    assertEquals(new Outcome.Swept(List.of()), d.apply(new TxnOp.Sweep(List.of("/t"))).outcome());
  }

  @Test
  void ttlArgumentsMustMatchTheMode() {
    assertEquals(ErrorCode.BAD_ARGUMENTS, failed(new TxnOp.CreateNode("/t", new byte[0], CreateMode.PERSISTENT_WITH_TTL, 0)).code());
    assertEquals(ErrorCode.BAD_ARGUMENTS, failed(new TxnOp.CreateNode("/t", new byte[0], CreateMode.PERSISTENT, 10)).code());
    assertNull(d.tree.stat("/t"));
  }

  @Test
  void zxidThatDoesNotIncreaseIsACallerBug() {
    d.create("/a");
    assertThrows(IllegalArgumentException.class, () -> d.tree.apply(new Txn(d.zxid, 0, 0, new TxnOp.Check("/", -1))));
  }

  @Test
  void failedTransactionsStillAdvanceTheLastAppliedZxid() {
    d.apply(new TxnOp.DeleteNode("/nothing", -1));
    assertEquals(d.zxid, d.tree.lastZxid());
  }

  @Test
  void snapshotRestoresNodesSessionsEphemeralsAndSpecialKinds() {
    d.apply(3, new TxnOp.CreateSession(4_000));
    d.create("/a");
    d.apply(new TxnOp.SetData("/a", bytes("data"), -1));
    d.apply(3, new TxnOp.CreateNode("/a/e", bytes("x"), CreateMode.EPHEMERAL, 0));
    d.create("/c", CreateMode.CONTAINER);
    d.create("/c/kid");
    d.apply(new TxnOp.CreateNode("/t", new byte[0], CreateMode.PERSISTENT_WITH_TTL, 50));
    DataTree copy = DataTree.restore(d.tree.snapshot());
    assertArrayEquals(d.tree.snapshot(), copy.snapshot());
    assertEquals(content(d.tree), content(copy));
    assertEquals(d.tree.lastZxid(), copy.lastZxid());
    assertEquals(List.of("/a/e"), copy.ephemerals(3));
    assertEquals(d.tree.nodeCount(), copy.nodeCount());
    TreeDriver original = d;
    TreeDriver restored = new TreeDriver(copy);
    restored.timeMillis = original.timeMillis = 10_000;
    for (TreeDriver each : List.of(original, restored)) {
      each.apply(new TxnOp.DeleteNode("/c/kid", -1));
      each.apply(3, new TxnOp.CloseSession());
    }
    assertEquals(original.tree.sweepCandidates(10_000), copy.sweepCandidates(10_000));
    assertEquals(List.of("/c", "/t"), copy.sweepCandidates(10_000));
    assertArrayEquals(original.tree.snapshot(), copy.snapshot());
  }

  @Test
  void restoreRefusesBytesThatAreNotASnapshot() {
    assertThrows(IllegalArgumentException.class, () -> DataTree.restore(new byte[] {1, 2, 3}));
    byte[] snapshot = d.tree.snapshot();
    byte[] truncated = java.util.Arrays.copyOf(snapshot, snapshot.length - 3);
    assertThrows(IllegalArgumentException.class, () -> DataTree.restore(truncated));
  }
}
