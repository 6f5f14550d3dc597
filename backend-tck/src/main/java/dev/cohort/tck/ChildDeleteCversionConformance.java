package dev.cohort.tck;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.cohort.spi.CreateMode;
import dev.cohort.spi.Paths;
import dev.cohort.spi.Session;
import org.junit.jupiter.api.Test;

/**
 * What child deletes do to a parent's cversion and to its sequence counter, as the ZooKeeper 3.9
 * server does it (the oracle for this edge case; measured against a 3.9.3 server by the ZooKeeper
 * adapter's ZooKeeperCversionOracleTest).
 *
 * <p>The server persists a per-parent count of child <em>creates</em> and takes sequence suffixes
 * from it; the {@code Stat.cversion} it returns is derived as {@code 2 × creates − numChildren},
 * that is creates plus deletes (DataNode.copyStat). So a child delete, explicit or by a session's
 * end, increments the visible cversion, but the next sequence suffix counts creates only: after
 * deletes the suffix is smaller than the cversion a client reads.
 */
public abstract class ChildDeleteCversionConformance extends ConformanceSuite {

  @Test
  public void childDeleteIncrementsTheParentsCversion() {
    Session s = open();
    create(s, "/p", "");
    create(s, "/p/c", "");
    assertEquals(1, get(s.exists("/p")).cversion());
    get(s.delete("/p/c", -1));
    assertEquals(2, get(s.exists("/p")).cversion());
  }

  @Test
  public void sequenceAfterDeletesCountsOnlyCreates() {
    Session s = open();
    create(s, "/p", "");
    create(s, "/p/a", "");
    create(s, "/p/b", "");
    get(s.delete("/p/a", -1));
    get(s.delete("/p/b", -1));
    assertEquals(4, get(s.exists("/p")).cversion());
    String path = get(s.create("/p/q-", bytes(""), CreateMode.PERSISTENT_SEQUENTIAL)).path();
    assertEquals(2, Paths.sequenceOf(path), "two creates so far, whatever the deletes");
    assertEquals(5, get(s.exists("/p")).cversion());
  }

  @Test
  public void ephemeralsRemovedWithTheirSessionCountInCversion() {
    Session owner = open();
    Session other = open();
    create(other, "/p", "");
    get(owner.sync("/p"));
    create(owner, "/p/e1", "", CreateMode.EPHEMERAL);
    create(owner, "/p/e2", "", CreateMode.EPHEMERAL);
    owner.close();
    get(other.sync("/p"));
    assertEquals(4, get(other.exists("/p")).cversion(), "two creates and two deletes");
    assertEquals("/p/n-0000000002",
        get(other.create("/p/n-", bytes(""), CreateMode.PERSISTENT_SEQUENTIAL)).path());
  }

  @Test
  public void deletesInAMultiCountInCversionButNotInTheSequence() {
    Session s = open();
    create(s, "/p", "");
    create(s, "/p/a", "");
    get(s.multi(java.util.List.of(
        dev.cohort.spi.Op.delete("/p/a", -1),
        dev.cohort.spi.Op.create("/p/n-", bytes(""), CreateMode.PERSISTENT_SEQUENTIAL))));
    assertEquals(java.util.List.of("n-0000000001"), get(s.getChildren("/p")).names());
    assertEquals(3, get(s.exists("/p")).cversion());
  }
}
