package dev.cohort.inmemory.tree;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.cohort.spi.CreateMode;
import dev.cohort.spi.NodeData;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/** Determinism, snapshot identity and atomicity of the tree, over random transaction sequences. */
class DataTreePropertiesTest {

  /** A transaction without its zxid (the driver numbers them) but with its time and session. */
  record Step(long sessionId, long advanceMillis, TxnOp op) {}

  private static final List<String> PATHS = List.of("/a", "/a/b", "/a/b/c", "/a/d", "/e", "/e/f", "/a/", "/zookeeper/x", "bad");

  private static Arbitrary<String> paths() {
    return Arbitraries.of(PATHS);
  }

  private static Arbitrary<TxnOp> writeOps() {
    Arbitrary<TxnOp> create = Combinators.combine(paths(), Arbitraries.of(CreateMode.values()),
        Arbitraries.bytes().array(byte[].class).ofMaxSize(4))
        .as((path, mode, data) -> new TxnOp.CreateNode(path, data, mode, mode.isTtl() ? 100 : 0));
    Arbitrary<TxnOp> delete = Combinators.combine(paths(), Arbitraries.integers().between(-1, 2))
        .as(TxnOp.DeleteNode::new);
    Arbitrary<TxnOp> set = Combinators.combine(paths(), Arbitraries.bytes().array(byte[].class).ofMaxSize(4),
        Arbitraries.integers().between(-1, 2)).as(TxnOp.SetData::new);
    Arbitrary<TxnOp> check = Combinators.combine(paths(), Arbitraries.integers().between(-1, 1)).as(TxnOp.Check::new);
    return Arbitraries.frequencyOf(
        net.jqwik.api.Tuple.of(5, create), net.jqwik.api.Tuple.of(3, delete),
        net.jqwik.api.Tuple.of(3, set), net.jqwik.api.Tuple.of(1, check));
  }

  @Provide
  Arbitrary<List<Step>> steps() {
    Arbitrary<TxnOp> multi = writeOps().list().ofMinSize(1).ofMaxSize(3).map(TxnOp.Multi::new);
    Arbitrary<TxnOp> sessions = Arbitraries.of(new TxnOp.CreateSession(4_000), new TxnOp.CloseSession());
    Arbitrary<TxnOp> sweep = paths().list().ofMaxSize(3).map(TxnOp.Sweep::new);
    Arbitrary<TxnOp> op = Arbitraries.frequencyOf(
        net.jqwik.api.Tuple.of(8, writeOps()), net.jqwik.api.Tuple.of(2, multi),
        net.jqwik.api.Tuple.of(2, sessions), net.jqwik.api.Tuple.of(1, sweep));
    return Combinators.combine(Arbitraries.longs().between(1, 3), Arbitraries.longs().between(0, 80), op)
        .as(Step::new).list().ofMaxSize(60);
  }

  private static List<ApplyResult> run(TreeDriver driver, List<Step> steps) {
    List<ApplyResult> results = new ArrayList<>();
    for (Step step : steps) {
      driver.timeMillis += step.advanceMillis();
      results.add(driver.apply(step.sessionId(), step.op()));
    }
    return results;
  }

  @Property(tries = 200)
  void twoTreesFedTheSameTransactionsStayIdentical(@ForAll("steps") List<Step> steps) {
    TreeDriver first = new TreeDriver();
    TreeDriver second = new TreeDriver();
    assertEquals(run(first, steps), run(second, steps));
    assertArrayEquals(first.tree.snapshot(), second.tree.snapshot());
    assertEquals(first.tree.sweepCandidates(first.timeMillis), second.tree.sweepCandidates(second.timeMillis));
  }

  @Property(tries = 200)
  void restoreOfASnapshotIsTheSameTreeAndBehavesTheSame(
      @ForAll("steps") List<Step> before, @ForAll("steps") List<Step> after) {
    TreeDriver original = new TreeDriver();
    run(original, before);
    TreeDriver restored = new TreeDriver(DataTree.restore(original.tree.snapshot()));
    restored.timeMillis = original.timeMillis;
    assertArrayEquals(original.tree.snapshot(), restored.tree.snapshot());
    assertEquals(TreeDriver.content(original.tree), TreeDriver.content(restored.tree));
    assertEquals(run(original, after), run(restored, after));
    assertArrayEquals(original.tree.snapshot(), restored.tree.snapshot());
  }

  @Property(tries = 200)
  void aFailedTransactionChangesNoNode(@ForAll("steps") List<Step> steps) {
    TreeDriver driver = new TreeDriver();
    for (Step step : steps) {
      Map<String, NodeData> before = TreeDriver.content(driver.tree);
      driver.timeMillis += step.advanceMillis();
      ApplyResult result = driver.apply(step.sessionId(), step.op());
      if (!result.outcome().isSuccess()) {
        assertEquals(before, TreeDriver.content(driver.tree), () -> "after " + step);
        assertEquals(List.of(), result.changes());
      }
    }
  }

  @Property
  void sequenceSuffixIsFormattedLikePercent010d(@ForAll int counter) {
    assertEquals(String.format(Locale.ROOT, "%010d", counter), DataTree.sequenceSuffix(counter));
  }
}
