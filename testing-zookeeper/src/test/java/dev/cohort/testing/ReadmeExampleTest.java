package dev.cohort.testing;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cohort.recipes.Cohort;
import dev.cohort.recipes.FencingToken;
import dev.cohort.recipes.locks.DistributedLock;

/** The {@code @EveryBackendTest} example of testing/README.md, as it is written there. */
class ReadmeExampleTest {

  @EveryBackendTest
  void nextHolderGetsALargerToken(CohortFixture fixture, Cohort client) throws Exception {
    DistributedLock first = new DistributedLock(client, "/l");
    DistributedLock second = new DistributedLock(fixture.newClient(), "/l");
    FencingToken a = first.acquire();
    first.release();
    assertTrue(second.acquire().value() > a.value());
  }
}
