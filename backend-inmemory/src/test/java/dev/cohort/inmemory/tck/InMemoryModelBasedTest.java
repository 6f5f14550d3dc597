package dev.cohort.inmemory.tck;

import dev.cohort.inmemory.InMemoryFixture;
import dev.cohort.tck.BackendFixture;
import dev.cohort.tck.ModelBasedConformance;

/** The in-memory backend against {@link ModelBasedConformance}. */
class InMemoryModelBasedTest extends ModelBasedConformance {
  @Override
  protected BackendFixture newFixture() {
    return new InMemoryFixture();
  }

  /**
   * Known deviation, to be fixed in the DataTree: its stat shows cversion as the count of child
   * creates, where ZooKeeper shows creates plus deletes (2 × creates − numChildren) while taking
   * sequence suffixes from the creates alone. ChildDeleteCversionConformance pins the server's rule
   * and is not run for in-memory until then; remove this override with the fix.
   */
  @Override
  protected boolean statCversionCountsChildDeletes() {
    return false;
  }
}
