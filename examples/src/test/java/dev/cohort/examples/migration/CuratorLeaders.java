package dev.cohort.examples.migration;

import dev.cohort.examples.migration.LeaderLatchMigrationTest.Scheduler;
import dev.cohort.examples.migration.LeaderSelectorMigrationTest.Compactor;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.recipes.leader.LeaderLatch;
import org.apache.curator.framework.recipes.leader.LeaderLatchListener;
import org.apache.curator.framework.recipes.leader.LeaderSelector;
import org.apache.curator.framework.recipes.leader.LeaderSelectorListenerAdapter;

/**
 * The Curator side of the leader-election snippets, in a file of its own so that both libraries'
 * {@code LeaderLatch} and {@code LeaderSelector} read with their simple names.
 */
final class CuratorLeaders {

  private CuratorLeaders() {}

  // snippet: curator-leader-latch
  static LeaderLatch startScheduler(CuratorFramework client, String id, Scheduler scheduler) throws Exception {
    LeaderLatch latch = new LeaderLatch(client, "/scheduler/leader", id);
    latch.addListener(new LeaderLatchListener() {
      @Override public void isLeader() { scheduler.start(); }
      @Override public void notLeader() { scheduler.stop(); }
    });
    latch.start();
    return latch;
  }
  // end-snippet

  // snippet: curator-leader-selector
  static LeaderSelector startCompactor(CuratorFramework client, Compactor compactor) {
    LeaderSelector selector = new LeaderSelector(client, "/compactor/leader",
        new LeaderSelectorListenerAdapter() {
          @Override
          public void takeLeadership(CuratorFramework c) {
            compactor.compactOnce();        // leads until this returns
          }
        });
    selector.autoRequeue();                 // then joins the line again
    selector.start();
    return selector;
  }
  // end-snippet
}
