package dev.cohort.zookeeper.tck;

import dev.cohort.tck.BackendFixture;
import dev.cohort.tck.ModelBasedConformance;
import dev.cohort.zookeeper.ZooKeeperFixture;
import java.util.List;
import net.jqwik.api.Disabled;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;

/**
 * A real ZooKeeper server against {@link ModelBasedConformance}: not run until the model is fixed.
 *
 * <p>The model derives sequential suffixes from the parent's cversion and has one switch for whether
 * a child delete counts in it. ZooKeeper 3.9.3 does neither: a child delete increments the parent's
 * {@code Stat.cversion}, but the next sequential suffix counts child creates only (pinned by
 * dev.cohort.zookeeper.ZooKeeperCversionOracleTest). With the switch off the model fails on the stat
 * ("stat of /m cversion expected 2 but was 3"), with it on it fails on the suffix ("created path
 * expected /m/s-0000000004 but was /m/s-0000000003"). Reported to the lead.
 */
class ZooKeeperModelBasedTest extends ModelBasedConformance {
  @Override
  protected BackendFixture newFixture() {
    return new ZooKeeperFixture();
  }

  @Override
  @Property
  @Disabled("the TCK model ties sequential suffixes to cversion; ZooKeeper 3.9.3 counts deletes in cversion"
      + " but not in the suffix (see class javadoc)")
  public void treeBehavesLikeTheModel(@ForAll("scripts") List<Step> script) {
    super.treeBehavesLikeTheModel(script);
  }
}
