package dev.cohort.examples.migration;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.cohort.recipes.Cohort;
import dev.cohort.recipes.FencedResource;
import dev.cohort.recipes.FencingToken;
import dev.cohort.recipes.leader.LeaderSelector;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.curator.framework.CuratorFramework;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Curator's LeaderSelector and Cohort's: three compactors take turns, leadership lasts one run, and
 * no two runs overlap.
 */
class LeaderSelectorMigrationTest extends MigrationTestBase {

  private static final int PARTICIPANTS = 3;
  private static final int RUNS = 9;

  /** What every compactor shares: notices overlapping runs and who ran. */
  static final class Store {
    final AtomicInteger running = new AtomicInteger();
    final AtomicInteger maxRunning = new AtomicInteger();
    final AtomicInteger runs = new AtomicInteger();
    final Set<String> leaders = ConcurrentHashMap.newKeySet();
    final FencedResource fence = new FencedResource();
  }

  /** One participant's work. */
  static final class Compactor {
    private final String name;
    private final Store store;

    Compactor(String name, Store store) {
      this.name = name;
      this.store = store;
    }

    void compactOnce() {
      store.maxRunning.accumulateAndGet(store.running.incrementAndGet(), Math::max);
      store.leaders.add(name);
      Thread.yield();
      store.runs.incrementAndGet();
      store.running.decrementAndGet();
    }

    void compactOnce(FencingToken token) {
      store.fence.accept(token);
      compactOnce();
    }
  }

  private final Store store = new Store();

  // snippet: cohort-leader-selector
  static LeaderSelector startCompactor(Cohort client, Compactor compactor) {
    LeaderSelector selector = LeaderSelector.builder(client, "/compactor/leader",
            term -> compactor.compactOnce(term.fencingToken()))   // leads until this returns
        .autoRequeue(true)                                        // then joins the line again
        .build();
    selector.start();
    return selector;
  }
  // end-snippet

  @Test
  void curatorSelectorRunsOneLeaderAtATimeAndRotates() throws Exception {
    List<CuratorFramework> clients = new ArrayList<>();
    for (int i = 0; i < PARTICIPANTS; i++) {
      clients.add(curator());
    }
    for (int i = 0; i < PARTICIPANTS; i++) { // closed before every client (closeLater is a stack)
      closeLater(CuratorLeaders.startCompactor(clients.get(i), new Compactor("compactor-" + i, store)));
    }
    assertTurnsTaken();
  }

  @ParameterizedTest
  @EnumSource(Backend.class)
  void cohortSelectorRunsOneLeaderAtATimeAndRotates(Backend backend) throws Exception {
    for (int i = 0; i < PARTICIPANTS; i++) {
      closeLater(startCompactor(cohort(backend), new Compactor("compactor-" + i, store)));
    }
    assertTurnsTaken();
  }

  private void assertTurnsTaken() {
    // Re-queued leadership goes to the back of the line, so once all have joined, each leads in turn.
    await().atMost(Duration.ofSeconds(20))
        .until(() -> store.runs.get() >= RUNS && store.leaders.size() == PARTICIPANTS);
    assertEquals(1, store.maxRunning.get(), "never two leaders at once");
  }
}
