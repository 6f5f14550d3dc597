package dev.cohort.bench.scale;

import java.util.List;

/**
 * Every scenario of the sweep, in table order. To add one, append a {@link Scenario} built with
 * {@link Scenario#named}; its {@code setup} may live here or in a class of its own (see {@link
 * RecipePoints}).
 */
public final class Scenarios {
  private Scenarios() {}

  /** The scenarios, in the order the table lists them. */
  public static final List<Scenario> ALL = List.of(
      Scenario.named("queue", "WorkQueue put + take + complete at depth n (n jobs pending; 1M: 998,000)")
          .sizes(10, 1_000, 100_000, 1_000_000)
          .limit(Backend.ZOOKEEPER, 100_000,
              "filling 1M jobs through one fsyncing server takes many minutes and one listing of"
                  + " them is tens of MB, past any sane jute.maxbuffer")
          .setup(RecipePoints::queue),
      Scenario.named("lock-handoff", "one lock handoff among n sessions queued on one DistributedLock")
          .sizes(10, 100, 1_000)
          .setup(RecipePoints::lockHandoffs),
      Scenario.named("leader-handover", "one LeaderLatch handover among n participants (leader leaves, rejoins last)")
          .sizes(10, 100, 1_000)
          .setup(RecipePoints::leaderHandover),
      Scenario.named("group", "one member joins and leaves a group of n, until all n saw both")
          .sizes(10, 100, 1_000, 10_000)
          .limit(Backend.INMEMORY, 1_000, "every member watches the whole group and loads it once when it"
              + " joins: setting up 10k watching members is 5x10^7 reads (1k took 15 s); 10k members with"
              + " few watchers: MembershipCost")
          .limit(Backend.REPLICATED, 1_000, "every member loads the whole group once when it joins:"
              + " setting up 10k members is 5x10^7 reads through the simulated network")
          .limit(Backend.ZOOKEEPER, 100, "every member loads the whole group once when it joins, each"
              + " read a server round trip: 1k members did not finish setting up in 180 s")
          .setup(RecipePoints::group),
      Scenario.named("partition", "one rebalance of n partitions over m = n/100 members (2..100): a member joins or leaves")
          .sizes(10, 1_000, 10_000)
          .quickSizes(10, 100)
          .setup(RecipePoints::partitions),
      Scenario.named("children-cache", "one child's setData seen by a ChildrenCache of n children")
          .sizes(10, 1_000, 100_000, 1_000_000)
          .limit(Backend.REPLICATED, 100_000, "creating 1M children through the simulated network takes minutes")
          .limit(Backend.ZOOKEEPER, 100_000, "creating 100k znodes through one fsyncing server took 46 s:"
              + " 1M would take ~8 minutes to set up, and one listing of them is past jute.maxbuffer")
          .setup(RecipePoints::childrenCache),
      Scenario.named("tree-cache", "one leaf's setData seen by a TreeCache of n nodes (1,000 per directory)")
          .sizes(10, 1_000, 100_000, 1_000_000)
          .limit(Backend.REPLICATED, 100_000, "loading 1M nodes through the simulated network takes minutes")
          .limit(Backend.ZOOKEEPER, 100_000, "creating 100k znodes through one fsyncing server took 46 s:"
              + " 1M would take ~8 minutes to set up")
          .setup(RecipePoints::treeCache));

  /** The scenario called {@code name}. */
  public static Scenario named(String name) {
    for (Scenario s : ALL) {
      if (s.name().equals(name.trim())) {
        return s;
      }
    }
    throw new IllegalArgumentException("unknown scenario '" + name + "'; known: "
        + ALL.stream().map(Scenario::name).toList());
  }
}
