package dev.cohort.recipes;

import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cohort.inmemory.InMemoryFixture;
import dev.cohort.recipes.barrier.Barrier;
import dev.cohort.recipes.barrier.DoubleBarrier;
import dev.cohort.recipes.cache.ChildrenCache;
import dev.cohort.recipes.cache.TreeCache;
import dev.cohort.recipes.cache.NodeCache;
import dev.cohort.recipes.counter.DistributedAtomicLong;
import dev.cohort.recipes.counter.SharedCounter;
import dev.cohort.recipes.rendezvous.Rendezvous;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

/**
 * Every recipe of the barrier, cache, counter and rendezvous packages, used on a client never
 * started or already closed, fails at once with {@link IllegalStateException} and a message that
 * says what to do, and creates nothing. (Group, discovery and partition have their own in their
 * suites.) Bounded so that a recipe that hangs fails instead.
 */
class RecipesOnAnUnusableClientTest {
  private final InMemoryFixture fixture = new InMemoryFixture();

  @AfterEach
  void close() {
    fixture.close();
  }

  private static Map<String, Executable> everyRecipe(Cohort client) {
    Map<String, Executable> uses = new LinkedHashMap<>();
    uses.put("Barrier.set", () -> Barrier.of(client, "/b").set());
    uses.put("Barrier.waitUntilRemoved", () -> Barrier.of(client, "/b").waitUntilRemoved(Duration.ofMinutes(1)));
    uses.put("DoubleBarrier.enter", () -> DoubleBarrier.of(client, "/d", "m", 2).enter(Duration.ofMinutes(1)));
    uses.put("DoubleBarrier.leave", () -> DoubleBarrier.of(client, "/d", "m", 2).leave(Duration.ofMinutes(1)));
    uses.put("NodeCache.start", () -> NodeCache.start(client, "/n", null));
    uses.put("ChildrenCache.start", () -> ChildrenCache.start(client, "/c", null));
    uses.put("TreeCache.start", () -> TreeCache.builder(client, "/t").build().start());
    uses.put("SharedCounter.start", () -> SharedCounter.start(client, "/s", 0));
    uses.put("DistributedAtomicLong.increment", () -> DistributedAtomicLong.of(client, "/a", 3).increment());
    uses.put("Rendezvous.publish", () -> Rendezvous.publish(client, "/r", new byte[0]));
    uses.put("Rendezvous.join", () -> Rendezvous.join(client, "/r", null));
    return uses;
  }

  private static void assertEachRefused(Cohort client, String hint) {
    everyRecipe(client).forEach((name, use) -> assertTimeoutPreemptively(Duration.ofSeconds(10), () -> {
      IllegalStateException e = assertThrows(IllegalStateException.class, use, name);
      assertTrue(e.getMessage().contains(hint), name + ": " + e.getMessage());
    }, name + " must not hang"));
  }

  @Test
  void everyRecipeOnAClientNeverStartedIsRefusedAtOnce() throws Exception {
    try (Cohort client = Cohort.builder(fixture.backend()).build()) {
      assertEachRefused(client, "start()");
    }
    assertNothingCreated();
  }

  @Test
  void everyRecipeOnAClosedClientIsRefusedAtOnce() throws Exception {
    Cohort client = Cohort.builder(fixture.backend()).build();
    client.start();
    client.close();
    assertEachRefused(client, "closed");
    assertNothingCreated();
  }

  private void assertNothingCreated() throws Exception {
    try (Cohort observer = Cohort.builder(fixture.backend()).build()) {
      observer.start();
      for (String path : new String[] {"/b", "/d", "/n", "/c", "/s", "/a", "/r"}) {
        assertNull(observer.blocking().exists(path, null), path);
      }
    }
  }
}
