package dev.cohort.zookeeper;

import static dev.cohort.zookeeper.Futures.join;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.cohort.spi.CreateMode;
import dev.cohort.spi.Session;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * What the real 3.9.3 server does with a parent's cversion and its sequential counter when children
 * are deleted: the oracle the other backends follow (the TCK's ChildDeleteCversionConformance and its model).
 * The parent's {@code Stat.cversion} counts child creates and child deletes, but the sequential
 * suffix counts child creates only, so after deletes the two differ.
 */
class ZooKeeperCversionOracleTest {

  private ZooKeeperFixture fixture;
  private Session session;

  @BeforeEach
  void start() {
    fixture = new ZooKeeperFixture();
    session = fixture.openSession();
    join(session.create("/p", new byte[0], CreateMode.PERSISTENT));
  }

  @AfterEach
  void stop() {
    fixture.close();
  }

  private int cversion() {
    return join(session.exists("/p")).cversion();
  }

  @Test
  void childDeleteIncrementsTheParentsCversion() {
    join(session.create("/p/a", new byte[0], CreateMode.PERSISTENT));
    assertEquals(1, cversion());
    join(session.delete("/p/a", -1));
    assertEquals(2, cversion());
  }

  @Test
  void sequentialSuffixCountsChildCreatesOnly() {
    join(session.create("/p/a", new byte[0], CreateMode.PERSISTENT));
    join(session.create("/p/b", new byte[0], CreateMode.PERSISTENT));
    join(session.delete("/p/a", -1));
    join(session.delete("/p/b", -1));
    assertEquals(4, cversion());

    String path = join(session.create("/p/q-", new byte[0], CreateMode.PERSISTENT_SEQUENTIAL)).path();

    assertEquals("/p/q-0000000002", path, "two creates so far, whatever the deletes");
    assertEquals(5, cversion());
  }
}
