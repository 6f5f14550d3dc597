package dev.cohort.tck;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cohort.spi.CoordinationException;
import dev.cohort.spi.CreateMode;
import dev.cohort.spi.ErrorCode;
import dev.cohort.spi.Op;
import dev.cohort.spi.OpResult;
import dev.cohort.spi.Session;
import dev.cohort.spi.Stat;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

/**
 * {@code multi} (checklist lines 3 and 30): all writes or all reads; all or nothing; results in op
 * order; on failure, which op failed and why; {@code check} as a precondition.
 */
public abstract class MultiConformance extends ConformanceSuite {

  @Test
  public void multiAppliesEveryWriteAndReturnsResultsInOpOrder() {
    Session s = open();
    create(s, "/a", "old");
    create(s, "/gone", "");
    List<OpResult> results = get(s.multi(List.of(
        Op.create("/b", bytes("b"), CreateMode.PERSISTENT),
        Op.setData("/a", bytes("new"), 0),
        Op.check("/a", 1),
        Op.delete("/gone", 0))));
    assertEquals(4, results.size());
    assertEquals(new OpResult.CreateResult("/b"), results.get(0));
    Stat stat = assertInstanceOf(OpResult.SetDataResult.class, results.get(1)).stat();
    assertEquals(1, stat.version());
    assertEquals(stat, get(s.exists("/a")), "the SetDataResult carries the node's new stat");
    assertInstanceOf(OpResult.CheckResult.class, results.get(2));
    assertInstanceOf(OpResult.DeleteResult.class, results.get(3));
    assertEquals("b", read(s, "/b"));
    assertEquals("new", read(s, "/a"));
    assertNull(get(s.exists("/gone")));
  }

  @Test
  public void failedMultiChangesNothingAndNamesTheFailingOp() {
    Session s = open();
    create(s, "/a", "old");
    create(s, "/exists", "");
    TreeSnapshot before = snapshot();
    CoordinationException e = assertFails(ErrorCode.NODE_EXISTS, s.multi(List.of(
        Op.create("/new", bytes(""), CreateMode.PERSISTENT),
        Op.setData("/a", bytes("changed"), -1),
        Op.create("/exists", bytes(""), CreateMode.PERSISTENT),
        Op.delete("/a", -1))));
    assertEquals(2, e.opIndex());
    assertEquals(before, snapshot(), "none of the ops before the failing one took effect");
  }

  @Test
  public void checkWithAStaleVersionFailsTheWholeMultiWithBadVersion() {
    Session s = open();
    create(s, "/lock", "");
    get(s.setData("/lock", bytes("1"), -1));
    TreeSnapshot before = snapshot();
    CoordinationException e = assertFails(ErrorCode.BAD_VERSION, s.multi(List.of(
        Op.check("/lock", 0),
        Op.create("/guarded", bytes(""), CreateMode.PERSISTENT))));
    assertEquals(0, e.opIndex());
    assertEquals(before, snapshot());
  }

  @Test
  public void checkOfAMissingNodeFailsWithNoNode() {
    Session s = open();
    create(s, "/a", "");
    TreeSnapshot before = snapshot();
    CoordinationException e = assertFails(ErrorCode.NO_NODE, s.multi(List.of(
        Op.setData("/a", bytes("x"), -1),
        Op.check("/missing", -1))));
    assertEquals(1, e.opIndex());
    assertEquals(before, snapshot());
  }

  @Test
  public void laterOpsSeeTheEffectsOfEarlierOpsInTheSameMulti() {
    Session s = open();
    create(s, "/x", "old");
    List<OpResult> results = get(s.multi(List.of(
        Op.create("/p", bytes(""), CreateMode.PERSISTENT),
        Op.create("/p/c", bytes("child"), CreateMode.PERSISTENT),
        Op.delete("/x", -1),
        Op.create("/x", bytes("fresh"), CreateMode.PERSISTENT),
        Op.setData("/x", bytes("fresher"), 0))));
    assertEquals(5, results.size());
    assertEquals("child", read(s, "/p/c"));
    assertEquals("fresher", read(s, "/x"));
    assertEquals(1, get(s.exists("/x")).version());
  }

  @Test
  public void sequentialAndEphemeralCreatesInAMultiBehaveAsAlone() {
    Session s = open();
    create(s, "/q", "");
    List<OpResult> results = get(s.multi(List.of(
        Op.create("/q/n-", bytes(""), CreateMode.PERSISTENT_SEQUENTIAL),
        Op.create("/q/n-", bytes(""), CreateMode.EPHEMERAL_SEQUENTIAL))));
    assertEquals(new OpResult.CreateResult("/q/n-0000000000"), results.get(0));
    assertEquals(new OpResult.CreateResult("/q/n-0000000001"), results.get(1));
    assertEquals(s.id(), get(s.exists("/q/n-0000000001")).ephemeralOwner());
    assertEquals(0, get(s.exists("/q/n-0000000000")).ephemeralOwner());
  }

  @Test
  public void readMultiReturnsDataAndChildrenInOpOrder() {
    Session s = open();
    create(s, "/p", "parent");
    create(s, "/p/a", "");
    create(s, "/p/b", "");
    List<OpResult> results = get(s.multi(List.of(
        Op.getChildren("/p"),
        Op.getData("/p"),
        Op.getData("/p/a"))));
    assertEquals(3, results.size());
    var children = assertInstanceOf(OpResult.GetChildrenResult.class, results.get(0));
    assertEquals(Set.of("a", "b"), new HashSet<>(children.children()));
    var data = assertInstanceOf(OpResult.GetDataResult.class, results.get(1));
    assertArrayEquals(bytes("parent"), data.data());
    assertEquals(get(s.exists("/p")), data.stat());
    var leaf = assertInstanceOf(OpResult.GetDataResult.class, results.get(2));
    assertEquals(0, leaf.data().length);
  }

  @Test
  public void mixingReadsAndWritesIsRefusedWithBadArgumentsAndChangesNothing() {
    Session s = open();
    create(s, "/a", "");
    TreeSnapshot before = snapshot();
    assertFails(ErrorCode.BAD_ARGUMENTS, s.multi(List.of(
        Op.create("/b", bytes(""), CreateMode.PERSISTENT),
        Op.getData("/a"))));
    assertFails(ErrorCode.BAD_ARGUMENTS, s.multi(List.of(
        Op.getChildren("/"),
        Op.setData("/a", bytes("x"), -1))));
    assertEquals(before, snapshot());
  }

  @Test
  public void emptyMultiIsRefusedWithBadArguments() {
    Session s = open();
    TreeSnapshot before = snapshot();
    assertFails(ErrorCode.BAD_ARGUMENTS, s.multi(List.of()));
    assertEquals(before, snapshot());
  }

  @Test
  public void otherSessionsSeeAllOfAMultiOrNoneOfIt() {
    Session writer = open();
    Session reader = open();
    create(writer, "/p", "");
    get(reader.sync("/p"));
    for (int round = 0; round < 20; round++) {
      String a = "a" + round;
      String b = "b" + round;
      CompletableFuture<List<OpResult>> multi = writer.multi(List.of(
          Op.create("/p/" + a, bytes(""), CreateMode.PERSISTENT),
          Op.create("/p/" + b, bytes(""), CreateMode.PERSISTENT)));
      boolean seen;
      do {
        List<String> names = get(reader.getChildren("/p")).names();
        seen = names.contains(a);
        assertEquals(seen, names.contains(b), "half a multi was visible: " + names);
      } while (!seen && !multi.isDone());
      get(multi);
    }
    get(reader.sync("/p"));
    assertEquals(40, get(reader.getChildren("/p")).names().size());
  }

  @Test
  public void multiIsOneStepForTheVersionsItChecks() {
    Session s = open();
    create(s, "/counter", "0");
    for (int i = 0; i < 5; i++) {
      get(s.multi(List.of(Op.check("/counter", i), Op.setData("/counter", bytes(String.valueOf(i + 1)), i))));
    }
    assertEquals("5", read(s, "/counter"));
    assertEquals(5, get(s.exists("/counter")).version());
    assertTrue(get(s.exists("/counter")).mzxid() > get(s.exists("/counter")).czxid());
  }

  /**
   * ZooKeeper's client validates every op's path before it sends a multi: an invalid path is what
   * fails it, even behind an op that would fail on the tree.
   */
  @Test
  public void invalidPathAnywhereInAMultiFailsItBeforeAnEarlierOpsFailure() {
    Session s = open();
    create(s, "/a", "");
    TreeSnapshot before = snapshot();
    CoordinationException e = assertFails(ErrorCode.INVALID_PATH, s.multi(List.of(
        Op.delete("/missing", -1), Op.setData("/a", bytes("x"), -1), Op.create("/b//c", bytes(""), CreateMode.PERSISTENT))));
    assertEquals(2, e.opIndex());
    assertEquals(before, snapshot());
    e = assertFails(ErrorCode.INVALID_PATH, s.multi(List.of(Op.getData("/missing"), Op.getChildren("bad"))));
    assertEquals(1, e.opIndex());
  }

  /**
   * A refusal that is the service's to make, not the client's (here: deleting the reserved node)
   * does not hide an earlier op's failure: the first op that fails is the one reported.
   */
  @Test
  public void multiReportsTheFirstOpTheServiceFailsNotALaterRefusedOne() {
    Session s = open();
    TreeSnapshot before = snapshot();
    CoordinationException e = assertFails(ErrorCode.NO_NODE, s.multi(List.of(
        Op.delete("/missing", -1), Op.delete(dev.cohort.spi.Paths.RESERVED, -1))));
    assertEquals(0, e.opIndex());
    assertEquals(before, snapshot());
    create(s, "/a", "");
    e = assertFails(ErrorCode.BAD_ARGUMENTS, s.multi(List.of(
        Op.setData("/a", bytes("x"), -1), Op.delete(dev.cohort.spi.Paths.RESERVED, -1))));
    assertEquals(1, e.opIndex());
    assertEquals("", read(s, "/a"));
  }

  /**
   * The data limit holds for all of a multi's ops together: ZooKeeper sends a multi as one request
   * and refuses it whole when it is too large, before any op is looked at.
   */
  @Test
  public void multiWhoseOpsTogetherCarryMoreThanTheLimitIsRefusedWhole() {
    Session s = open();
    create(s, "/a", "a");
    create(s, "/b", "b");
    TreeSnapshot before = snapshot();
    int half = fixture.maxDataBytes() / 2 + 1;
    assertFails(ErrorCode.DATA_TOO_LARGE, s.multi(List.of(
        Op.setData("/a", new byte[half], -1), Op.setData("/b", new byte[half], -1))));
    // refused whole: an earlier op that would fail on the tree is not what is reported
    assertFails(ErrorCode.DATA_TOO_LARGE, s.multi(List.of(
        Op.delete("/missing", -1), Op.create("/c", new byte[half], CreateMode.PERSISTENT),
        Op.setData("/b", new byte[half], -1))));
    assertEquals(before, snapshot());
    // just at the limit, together, is fine
    get(s.multi(List.of(Op.setData("/a", new byte[half - 1], -1),
        Op.setData("/b", new byte[fixture.maxDataBytes() - (half - 1)], -1))));
    assertEquals(fixture.maxDataBytes(), get(s.exists("/a")).dataLength() + get(s.exists("/b")).dataLength());
  }
}
