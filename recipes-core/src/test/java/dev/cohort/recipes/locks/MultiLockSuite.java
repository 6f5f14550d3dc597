package dev.cohort.recipes.locks;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cohort.recipes.Cohort;
import dev.cohort.recipes.FencingToken;
import dev.cohort.recipes.RecipeSuiteSupport;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** {@link MultiLock}'s guarantees, on any backend. */
public abstract class MultiLockSuite extends RecipeSuiteSupport {

  @Test
  void aReleaseByAThreadThatHoldsNothingThrowsAndReleasesNothing() throws Exception {
    Cohort client = newClient();
    MultiLock multi = new MultiLock(List.of(new DistributedLock(client, "/m/a"), new DistributedLock(client, "/m/b")));
    assertThrows(IllegalMonitorStateException.class, multi::release, "nothing held yet");
    multi.acquire();
    java.util.concurrent.ExecutionException e = assertThrows(java.util.concurrent.ExecutionException.class,
        () -> inThread(multi::release).get(10, TimeUnit.SECONDS));
    assertTrue(e.getCause() instanceof IllegalMonitorStateException, e.getCause().toString());
    assertTrue(multi.locks().stream().allMatch(InterProcessLock::isHeldByCurrentThread), "the holder still holds all");
    assertTrue(multi.release());
    assertThrows(IllegalMonitorStateException.class, multi::release, "released already");
  }

  @Test
  void acquiresAllInPathOrderAndReleasesAll() throws Exception {
    Cohort client = newClient();
    MultiLock multi = new MultiLock(List.of(new DistributedLock(client, "/m/b"), new DistributedLock(client, "/m/a")));
    assertEquals(List.of("/m/a", "/m/b"), multi.locks().stream().map(InterProcessLock::path).toList());
    List<FencingToken> tokens = multi.acquire();
    assertEquals(2, tokens.size());
    assertTrue(multi.locks().stream().allMatch(InterProcessLock::isHeldByCurrentThread));
    assertTrue(multi.release());
    awaitChildren("/m/a", 0);
    awaitChildren("/m/b", 0);
  }

  @Test
  void whenOneLockIsTakenNoneIsHeldAfterTheTimeout() throws Exception {
    Cohort mine = newClient();
    DistributedLock blocker = new DistributedLock(newClient(), "/m/b");
    blocker.acquire();
    MultiLock multi = new MultiLock(List.of(new DistributedLock(mine, "/m/a"), new DistributedLock(mine, "/m/b")));
    Optional<List<FencingToken>> got = inThread(() -> multi.tryAcquire(Duration.ofMillis(30))).get(10, TimeUnit.SECONDS);
    assertTrue(got.isEmpty());
    awaitChildren("/m/a", 0);
    awaitChildren("/m/b", 1);
    DistributedLock other = new DistributedLock(newClient(), "/m/a");
    CompletableFuture<Optional<FencingToken>> a = inThread(() -> other.tryAcquire(Duration.ofSeconds(10)));
    assertTrue(a.get(10, TimeUnit.SECONDS).isPresent(), "the lock the multi-lock took first was released");
  }

  @Test
  void duplicateOrEmptyLockListsAreRefused() {
    Cohort client = newClient();
    assertThrows(IllegalArgumentException.class, () -> new MultiLock(List.of()));
    assertThrows(IllegalArgumentException.class,
        () -> new MultiLock(List.of(new DistributedLock(client, "/m/a"), new DistributedLock(client, "/m/a"))));
    assertFalse(exists("/m"), "refusing the list touches nothing");
  }
}
