package dev.cohort.examples.readme;

import dev.cohort.recipes.FencingToken;
import dev.cohort.recipes.locks.DistributedLock;
import dev.cohort.testing.CohortExtension;
import dev.cohort.testing.OwnershipHistory;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * README's fixture example ("Testing with the fixture"), exactly as shown there: the history check
 * it registers runs when the test ends and fails it if two holders overlapped or a token went back.
 */
// snippet: readme-fixture
class OrderLockTest {
  @RegisterExtension
  final CohortExtension cohort = CohortExtension.inMemory();   // or replicated(3), zookeeper()

  @Test
  void aHolderWhoseSessionExpiredIsReplacedWithALargerToken() throws Exception {
    OwnershipHistory history = cohort.check(new OwnershipHistory("lock /orders"));
    DistributedLock first = new DistributedLock(cohort.client(), "/orders");
    DistributedLock second = new DistributedLock(cohort.newClient(), "/orders");
    FencingToken t1 = first.acquire();
    history.acquired("/orders", "first", t1.value());
    history.released("/orders", "first", t1.value());
    cohort.fixture().expire(cohort.client());                  // the service ends the session
    FencingToken t2 = second.tryAcquire(Duration.ofSeconds(5)).orElseThrow();
    history.acquired("/orders", "second", t2.value());
  }                                                            // history.check() runs after the test
}
// end-snippet
