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
   * The in-memory DataTree follows the project checklist (line 9) and counts child deletes in
   * cversion, where ZooKeeper 3.9 does not; reported to the lead, see
   * ChildDeleteCversionConformance, which is not run here until that is settled.
   */
  @Override
  protected boolean childDeleteIncrementsCversion() {
    return true;
  }
}
