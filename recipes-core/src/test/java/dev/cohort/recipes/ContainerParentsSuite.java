package dev.cohort.recipes;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cohort.recipes.locks.DistributedLock;
import dev.cohort.recipes.locks.Semaphore;
import dev.cohort.spi.Capability;
import dev.cohort.spi.CreateMode;
import dev.cohort.tck.FaultControl;
import dev.cohort.tck.Requirements;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/**
 * Directories recipes create for self-removing nodes are containers where the backend has them:
 * an emptied lock or semaphore directory goes; a directory of persistent nodes stays.
 */
public abstract class ContainerParentsSuite extends RecipeSuiteSupport {

  /** Waits for the service's container check to remove {@code path}, moving virtual time if any. */
  private void awaitRemoved(String path) {
    await().atMost(fixture.backgroundWorkTimeout()).pollInterval(Duration.ofMillis(20)).until(() -> {
      if (fixture.supports(FaultControl.VIRTUAL_TIME)) {
        fixture.advanceTime(Duration.ofSeconds(1));
      }
      return !exists(path);
    });
  }

  @Test
  public void emptyLockDirectoryGoesAfterItsLastHolderReleases() throws Exception {
    Requirements.requireCapability(fixture, Capability.CONTAINER_NODES);
    Cohort c = newClient();
    DistributedLock lock = new DistributedLock(c, "/locks/orders/a");
    lock.acquire();
    assertTrue(exists("/locks/orders/a"));

    lock.release();

    awaitRemoved("/locks/orders/a");
    awaitRemoved("/locks/orders"); // an ancestor created for it goes once emptied too
  }

  @Test
  public void emptySemaphoreDirectoryGoesAfterItsLastLeaseIsReturned() throws Exception {
    Requirements.requireCapability(fixture, Capability.CONTAINER_NODES);
    Cohort c = newClient();
    Semaphore semaphore = new Semaphore(c, "/sem/a", 2);
    semaphore.acquire().release();

    awaitRemoved("/sem/a");
  }

  @Test
  public void lockWorksAgainAfterItsDirectoryWasRemoved() throws Exception {
    Requirements.requireCapability(fixture, Capability.CONTAINER_NODES);
    Cohort c = newClient();
    DistributedLock lock = new DistributedLock(c, "/locks/a");
    lock.acquire();
    lock.release();
    awaitRemoved("/locks/a");

    lock.acquire();
    assertTrue(lock.isHeldByCurrentThread());
    lock.release();
  }

  @Test
  public void directoryOfPersistentNodesStays() throws Exception {
    Cohort c = newClient();
    c.blocking().createWithParents("/dir/sub/job", new byte[0], CreateMode.PERSISTENT);
    c.blocking().delete("/dir/sub/job", -1);
    if (fixture.supports(FaultControl.VIRTUAL_TIME)) {
      fixture.advanceTime(Duration.ofSeconds(5));
    }
    await().during(Duration.ofMillis(500)).atMost(Duration.ofSeconds(10)).until(() -> exists("/dir/sub"));
  }

  @Test
  public void withoutContainersTheLockDirectoryStays() throws Exception {
    Requirements.requireMissingCapability(fixture, Capability.CONTAINER_NODES);
    Cohort c = newClient();
    DistributedLock lock = new DistributedLock(c, "/locks/a");
    lock.acquire();
    lock.release();
    assertTrue(exists("/locks/a"));
    assertFalse(exists("/locks/a/x"));
  }
}
