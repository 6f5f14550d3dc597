package dev.cohort.tck;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.cohort.spi.CreateMode;
import dev.cohort.spi.Paths;
import dev.cohort.spi.Session;
import org.junit.jupiter.api.Test;

/**
 * What a child delete does to the parent's cversion, as ZooKeeper 3.9 does it (the oracle for this
 * edge case): the server's PrepRequestProcessor and DataTree.deleteNode move the parent's pzxid and
 * child count on delete but not its cversion, so cversion counts child creates only, and the next
 * sequence suffix after deletes is the number of creates so far.
 *
 * <p>The shared checklist (zookeeper-semantics.md line 9) says a delete increments cversion too; the
 * two disagree, and this suite sides with the real server. It is kept apart so that a backend whose
 * author follows the checklist can be routed to a decision rather than silently diverge.
 */
public abstract class ChildDeleteCversionConformance extends ConformanceSuite {

  @Test
  public void childDeleteLeavesParentCversionUnchanged() {
    Session s = open();
    create(s, "/p", "");
    create(s, "/p/c", "");
    int before = get(s.exists("/p")).cversion();
    get(s.delete("/p/c", -1));
    assertEquals(before, get(s.exists("/p")).cversion());
  }

  @Test
  public void sequenceAfterDeletesCountsOnlyCreates() {
    Session s = open();
    create(s, "/p", "");
    create(s, "/p/a", "");
    create(s, "/p/b", "");
    get(s.delete("/p/a", -1));
    get(s.delete("/p/b", -1));
    String path = get(s.create("/p/q-", bytes(""), CreateMode.PERSISTENT_SEQUENTIAL)).path();
    assertEquals(2, Paths.sequenceOf(path));
  }
}
