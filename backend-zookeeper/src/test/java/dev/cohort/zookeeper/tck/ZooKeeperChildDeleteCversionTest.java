package dev.cohort.zookeeper.tck;

import dev.cohort.tck.BackendFixture;
import dev.cohort.tck.ChildDeleteCversionConformance;
import dev.cohort.zookeeper.ZooKeeperFixture;
import org.junit.jupiter.api.Disabled;
import org.junit.jupiter.api.Test;

/**
 * A real ZooKeeper server against {@link ChildDeleteCversionConformance}, the suite meant to hold the
 * server's own behaviour. Its sequence test passes; its cversion test asserts the opposite of what
 * the 3.9.3 server does (after one child create and one child delete the parent's cversion is 2, not
 * 1; pinned by dev.cohort.zookeeper.ZooKeeperCversionOracleTest), so it is not run here. Reported
 * to the lead.
 */
class ZooKeeperChildDeleteCversionTest extends ChildDeleteCversionConformance {
  @Override
  protected BackendFixture newFixture() {
    return new ZooKeeperFixture();
  }

  @Override
  @Test
  @Disabled("ZooKeeper 3.9.3 increments the parent's cversion on a child delete (1 -> 2); the TCK expects 1")
  public void childDeleteLeavesParentCversionUnchanged() {
    super.childDeleteLeavesParentCversionUnchanged();
  }
}
