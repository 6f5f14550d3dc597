package dev.cohort.inmemory.tck;

import dev.cohort.inmemory.InMemoryFixture;
import dev.cohort.tck.BackendFixture;
import dev.cohort.tck.ChildDeleteCversionConformance;

/** The in-memory backend follows the ZooKeeper server: a child delete leaves cversion alone. */
class InMemoryChildDeleteCversionTest extends ChildDeleteCversionConformance {
  @Override
  protected BackendFixture newFixture() {
    return new InMemoryFixture();
  }
}
