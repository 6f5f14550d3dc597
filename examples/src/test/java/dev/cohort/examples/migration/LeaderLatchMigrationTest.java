package dev.cohort.examples.migration;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cohort.recipes.Cohort;
import dev.cohort.recipes.FencingToken;
import dev.cohort.recipes.leader.CloseMode;
import dev.cohort.recipes.leader.LeaderLatch;
import dev.cohort.recipes.leader.LeaderLatchListener;
import dev.cohort.recipes.leader.LeadershipTerm;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** Curator's LeaderLatch and Cohort's: two schedulers, one runs; close it and the other takes over. */
class LeaderLatchMigrationTest extends MigrationTestBase {

  /** What the leader runs. */
  static final class Scheduler {
    private final AtomicReference<Boolean> running = new AtomicReference<>(false);
    private final AtomicLong token = new AtomicLong();

    void start() {
      running.set(true);
    }

    void start(FencingToken fencingToken) {
      token.set(fencingToken.value());
      start();
    }

    void stop() {
      running.set(false);
    }

    boolean running() {
      return running.get();
    }
  }

  // snippet: cohort-leader-latch
  static LeaderLatch startScheduler(Cohort client, String id, Scheduler scheduler) {
    LeaderLatch latch = LeaderLatch.builder(client, "/scheduler/leader").id(id).build();
    latch.addListener(new LeaderLatchListener() {
      @Override public void isLeader(LeadershipTerm term) { scheduler.start(term.fencingToken()); }
      @Override public void notLeader(LeadershipTerm term) { scheduler.stop(); }
    });
    latch.start();
    return latch;
  }
  // end-snippet

  @Test
  void curatorLatchElectsOneAndFailsOver() throws Exception {
    Scheduler a = new Scheduler();
    Scheduler b = new Scheduler();
    var latchA = CuratorLeaders.startScheduler(curator(), "scheduler-a", a);
    var latchB = CuratorLeaders.startScheduler(curator(), "scheduler-b", b);
    await().atMost(Duration.ofSeconds(10)).until(() -> a.running() || b.running());
    assertTrue(a.running() ^ b.running(), "exactly one scheduler runs");
    assertEquals(latchA.hasLeadership(), a.running());
    assertEquals(latchB.hasLeadership(), b.running());

    var leader = a.running() ? latchA : latchB;
    Scheduler other = a.running() ? b : a;
    Scheduler first = a.running() ? a : b;
    leader.close(org.apache.curator.framework.recipes.leader.LeaderLatch.CloseMode.NOTIFY_LEADER);
    await().atMost(Duration.ofSeconds(10)).until(other::running);
    assertFalse(first.running(), "the closed leader stopped its scheduler");
    (leader == latchA ? latchB : latchA).close();
  }

  @ParameterizedTest
  @EnumSource(Backend.class)
  void cohortLatchElectsOneAndFailsOver(Backend backend) throws Exception {
    Scheduler a = new Scheduler();
    Scheduler b = new Scheduler();
    LeaderLatch latchA = closeLater(startScheduler(cohort(backend), "scheduler-a", a));
    LeaderLatch latchB = closeLater(startScheduler(cohort(backend), "scheduler-b", b));
    await().atMost(Duration.ofSeconds(10)).until(() -> a.running() || b.running());
    assertTrue(a.running() ^ b.running(), "exactly one scheduler runs");
    assertEquals(latchA.hasLeadership(), a.running());
    assertEquals(latchB.hasLeadership(), b.running());

    LeaderLatch leader = a.running() ? latchA : latchB;
    Scheduler first = a.running() ? a : b;
    Scheduler other = a.running() ? b : a;
    leader.close(CloseMode.NOTIFY_LEADER);
    await().atMost(Duration.ofSeconds(10)).until(other::running);
    assertFalse(first.running(), "the closed leader stopped its scheduler");
    assertTrue(other.token.get() > first.token.get(), "the new term's fencing token is larger");
    LeaderLatch survivor = leader == latchA ? latchB : latchA;
    List<String> ids = survivor.participants().stream().map(p -> p.id()).toList();
    assertEquals(List.of(survivor.id()), ids, "the closed latch left the election");
  }
}
