package dev.cohort.examples.readme;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cohort.recipes.Cohort;
import dev.cohort.recipes.FencingToken;
import dev.cohort.recipes.locks.DistributedLock;
import dev.cohort.testing.CohortFixture;
import dev.cohort.testing.EveryBackendTest;

/**
 * README's "one test on every backend" example, exactly as shown there: it runs three times, on
 * the in-memory, replicated and ZooKeeper fixtures, each reported as its own test.
 */
// snippet: readme-every-backend
class LockOnEveryBackendTest {
  @EveryBackendTest
  void theNextHolderGetsALargerToken(CohortFixture fixture, Cohort client) throws Exception {
    DistributedLock first = new DistributedLock(client, "/orders");
    DistributedLock second = new DistributedLock(fixture.newClient(), "/orders");
    FencingToken a = first.acquire();
    first.release();
    assertTrue(second.acquire().value() > a.value());
  }
}
// end-snippet
