package dev.cohort.replicated.raft;

import static dev.cohort.replicated.raft.TestCluster.cmd;
import static dev.cohort.replicated.raft.TestCluster.commands;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cohort.replicated.raft.Message.Append;
import dev.cohort.replicated.raft.Message.AppendResponse;
import dev.cohort.replicated.raft.Message.RequestVote;
import dev.cohort.replicated.raft.Message.VoteResponse;
import dev.cohort.replicated.raft.RaftNode.Role;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The consensus core against the rules of the Raft paper, section by section, in the style of
 * etcd-io/raft's {@code raft_paper_test.go}. Each test drives nodes by hand through {@link
 * TestCluster}; no clocks, no threads.
 */
class RaftPaperTest {

  // §5.1 / §5.2 — terms and leader election

  @Test
  void followerStartsPreVoteThenElectionAfterRandomizedTimeoutAndWinsWithMajority() {
    TestCluster c = new TestCluster(3);
    c.elect(1);
    assertEquals(Role.LEADER, c.node(1).role());
    assertEquals(1, c.node(1).term(), "pre-vote must not burn a term");
    assertEquals(1, c.node(2).leader());
    assertEquals(1, c.node(3).leader());
  }

  @Test
  void electionTimeoutIsRandomizedAboveOneUpToTwoElectionTimeoutsFromTheInjectedRng() {
    RaftConfig cfg = RaftConfig.DEFAULT;
    for (long seed = 0; seed < 50; seed++) {
      int first = ticksUntilCampaign(seed, cfg);
      assertTrue(first > cfg.electionTicks() && first <= 2 * cfg.electionTicks(), "timeout " + first);
      assertEquals(first, ticksUntilCampaign(seed, cfg), "same seed, same timeout");
    }
  }

  private static int ticksUntilCampaign(long seed, RaftConfig cfg) {
    RaftNode n = RaftNode.create(1, new int[] {1, 2, 3}, cfg, new Random(seed));
    for (int t = 1; t < 10 * cfg.electionTicks(); t++) {
      n.tick();
      if (n.role() != Role.FOLLOWER) {
        return t;
      }
    }
    throw new AssertionError("never campaigned");
  }

  @Test
  void nodeVotesAtMostOncePerTerm() {
    RaftNode n = RaftNode.create(1, new int[] {1, 2, 3}, RaftConfig.DEFAULT, new Random(1));
    n.step(new RequestVote(2, 1, 5, 0, 0, false));
    n.step(new RequestVote(3, 1, 5, 0, 0, false));
    n.step(new RequestVote(2, 1, 5, 0, 0, false)); // a duplicate of the first request
    List<Message> out = n.ready().messages();
    assertEquals(List.of(
        new VoteResponse(1, 2, 5, true, false),
        new VoteResponse(1, 3, 5, false, false),
        new VoteResponse(1, 2, 5, true, false)), out);
  }

  @Test
  void grantedVoteIsInTheHardStateOfTheSameReadySoItIsPersistedBeforeTheReplyIsSent() {
    RaftNode n = RaftNode.create(1, new int[] {1, 2, 3}, RaftConfig.DEFAULT, new Random(1));
    n.step(new RequestVote(2, 1, 3, 0, 0, false));
    Ready rd = n.ready();
    assertEquals(new HardState(3, 2, 0), rd.hardState());
    assertTrue(rd.messages().contains(new VoteResponse(1, 2, 3, true, false)));
  }

  @Test
  void candidateStepsDownWhenAMajorityRejects() {
    RaftNode n = RaftNode.create(1, new int[] {1, 2, 3}, RaftConfig.DEFAULT, new Random(1));
    n.campaign();
    n.step(new VoteResponse(2, 1, 1, true, true));
    assertEquals(Role.CANDIDATE, n.role());
    n.step(new VoteResponse(2, 1, 1, false, false));
    n.step(new VoteResponse(3, 1, 1, false, false));
    assertEquals(Role.FOLLOWER, n.role());
  }

  @Test
  void anyRoleStepsDownOnAMessageWithAHigherTerm() {
    TestCluster c = new TestCluster(3);
    c.elect(1);
    long t = c.node(1).term();
    c.node(1).step(new Append(2, 1, t + 3, 0, 0, List.of(), 0));
    assertEquals(Role.FOLLOWER, c.node(1).role());
    assertEquals(t + 3, c.node(1).term());
    assertEquals(2, c.node(1).leader());
  }

  @Test
  void leaderIgnoresNoOneButAnswersStaleLeaderWithItsNewerTerm() {
    RaftNode n = RaftNode.create(1, new int[] {1, 2, 3}, RaftConfig.DEFAULT, new Random(1));
    n.step(new Append(2, 1, 4, 0, 0, List.of(), 0));
    n.ready();
    n.step(new Append(3, 1, 2, 0, 0, List.of(), 0));
    List<Message> out = n.ready().messages();
    assertEquals(List.of(new AppendResponse(1, 3, 4, false, 0, 0)), out);
    assertEquals(2, n.leader(), "a stale leader does not take over");
  }

  @Test
  void singleNodeClusterElectsItselfAndCommitsWithoutPeers() {
    TestCluster c = new TestCluster(1);
    c.elect(1);
    c.node(1).propose(cmd("a"));
    c.stabilize();
    assertEquals(List.of("a"), commands(c.applied.get(1)));
  }

  // §5.3 — log replication

  @Test
  void leaderReplicatesProposalsAndEveryNodeAppliesTheSameSequence() {
    TestCluster c = new TestCluster(5);
    c.elect(2);
    for (String s : List.of("a", "b", "c")) {
      c.node(2).propose(cmd(s));
    }
    c.stabilize();
    c.tick(2, 1); // a heartbeat carries the final commit index to the followers
    c.stabilize();
    for (int id = 1; id <= 5; id++) {
      assertEquals(List.of("a", "b", "c"), commands(c.applied.get(id)), "node " + id);
    }
  }

  @Test
  void nonLeaderRefusesProposals() {
    TestCluster c = new TestCluster(3);
    c.elect(1);
    assertEquals(-1, c.node(2).propose(cmd("x")));
    assertThrows(IllegalArgumentException.class, () -> c.node(1).propose(new byte[0]));
  }

  @Test
  void followerRejectsAppendWhosePreviousEntryDoesNotMatch() {
    RaftNode n = RaftNode.create(1, new int[] {1, 2, 3}, RaftConfig.DEFAULT, new Random(1));
    n.step(new Append(2, 1, 1, 0, 0, List.of(new Entry(1, 1, cmd("a"))), 0));
    n.ready();
    n.step(new Append(2, 1, 2, 1, 2, List.of(new Entry(2, 2, cmd("b"))), 0));
    assertEquals(List.of(new AppendResponse(1, 2, 2, false, 1, 1)), n.ready().messages());
    assertEquals(1, n.lastIndex());
  }

  @Test
  void conflictingUncommittedSuffixIsReplacedByTheLeadersEntries() {
    RaftNode n = RaftNode.create(1, new int[] {1, 2, 3}, RaftConfig.DEFAULT, new Random(1));
    n.step(new Append(2, 1, 1, 0, 0, List.of(new Entry(1, 1, cmd("a")), new Entry(1, 2, cmd("b"))), 0));
    n.ready();
    n.step(new Append(3, 1, 2, 1, 1, List.of(new Entry(2, 2, cmd("B")), new Entry(2, 3, cmd("C"))), 0));
    Ready rd = n.ready();
    assertEquals(List.of(new Entry(2, 2, cmd("B")), new Entry(2, 3, cmd("C"))), rd.entries(),
        "the replaced suffix is handed to storage from the first conflicting index");
    assertEquals(2, n.termOf(2));
  }

  @Test
  void duplicatedOrReorderedAppendNeverTruncatesMatchingEntries() {
    RaftNode n = RaftNode.create(1, new int[] {1, 2, 3}, RaftConfig.DEFAULT, new Random(1));
    Append both = new Append(2, 1, 1, 0, 0, List.of(new Entry(1, 1, cmd("a")), new Entry(1, 2, cmd("b"))), 0);
    Append first = new Append(2, 1, 1, 0, 0, List.of(new Entry(1, 1, cmd("a"))), 0);
    n.step(both);
    n.step(first); // delivered late
    assertEquals(2, n.lastIndex());
    n.step(both);
    assertEquals(2, n.lastIndex());
  }

  @Test
  void leaderFindsTheMatchPointOfADivergentFollowerAndOverwritesItsUncommittedTail() {
    TestCluster c = new TestCluster(3);
    c.elect(1);
    c.isolated.add(3);
    c.node(1).propose(cmd("x"));
    c.stabilize();
    // node 3 missed "x"; now 3 returns and must catch up by probing
    c.isolated.clear();
    c.tick(1, 2);
    c.stabilize();
    c.tick(1, 1);
    c.stabilize();
    assertEquals(List.of("x"), commands(c.applied.get(3)));
  }

  // §5.4 — safety

  @Test
  void candidateWithAShorterLogIsDeniedTheVote() {
    RaftNode n = RaftNode.create(1, new int[] {1, 2, 3}, RaftConfig.DEFAULT, new Random(1));
    n.step(new Append(2, 1, 2, 0, 0, List.of(new Entry(1, 1, cmd("a")), new Entry(2, 2, cmd("b"))), 0));
    n.ready();
    n.tick(); // lease still held: ignore vote requests entirely
    n.step(new RequestVote(3, 1, 5, 5, 1, false));
    assertTrue(n.ready().messages().isEmpty(), "a follower that recently heard its leader ignores candidates");
    for (int i = 0; i < RaftConfig.DEFAULT.electionTicks(); i++) {
      n.step(new Append(2, 1, 2, 2, 2, List.of(), 0)); // keep the log, let the lease pass below
    }
    RaftNode fresh = RaftNode.restart(1, new int[] {1, 2, 3}, RaftConfig.DEFAULT, new Random(1),
        new HardState(2, RaftNode.NONE, 0), Snapshot.EMPTY, List.of(new Entry(1, 1, cmd("a")), new Entry(2, 2, cmd("b"))));
    fresh.step(new RequestVote(3, 1, 5, 5, 1, false)); // longer log but older last term
    assertEquals(List.of(new VoteResponse(1, 3, 5, false, false)), fresh.ready().messages());
    fresh.step(new RequestVote(2, 1, 5, 2, 2, false)); // as up to date
    assertEquals(List.of(new VoteResponse(1, 2, 5, true, false)), fresh.ready().messages());
  }

  @Test
  void leaderCommitsOnlyEntriesOfItsOwnTermByCountingReplicas() {
    // Figure 8: an entry of an older term is not committed by being on a majority
    RaftNode n = RaftNode.restart(1, new int[] {1, 2, 3}, RaftConfig.DEFAULT, new Random(1),
        new HardState(2, RaftNode.NONE, 0), Snapshot.EMPTY, List.of(new Entry(1, 1, cmd("old"))));
    n.campaign();
    n.step(new VoteResponse(2, 1, 3, true, true));
    n.step(new VoteResponse(2, 1, 3, true, false));
    assertEquals(Role.LEADER, n.role());
    n.ready();
    n.step(new AppendResponse(2, 1, 3, true, 1, 1)); // old entry now on two of three
    assertEquals(0, n.commitIndex(), "an old-term entry is not committed by counting");
    n.step(new AppendResponse(2, 1, 3, true, 2, 2)); // the new leader's no-op too
    assertEquals(2, n.commitIndex(), "committing the no-op commits its predecessors");
  }

  @Test
  void committedEntryIsNeverLostAcrossAnyLeaderChange() {
    TestCluster c = new TestCluster(3);
    c.elect(1);
    c.node(1).propose(cmd("kept"));
    c.stabilize();
    c.isolated.add(1);
    c.elect(2);
    c.node(2).propose(cmd("after"));
    c.stabilize();
    c.isolated.clear();
    c.tick(2, 1);
    c.stabilize();
    for (int id = 1; id <= 3; id++) {
      assertEquals(List.of("kept", "after"), commands(c.applied.get(id)), "node " + id);
    }
  }

  // Batching and pipelining

  @Test
  void proposalsMadeBetweenTwoReadiesTravelInOneAppendPerFollower() {
    TestCluster c = new TestCluster(3);
    c.elect(1);
    c.sent.clear();
    for (int i = 0; i < 100; i++) {
      c.node(1).propose(cmd("p" + i));
    }
    List<Message> out = c.drain(1);
    assertEquals(2, out.size());
    for (Message m : out) {
      assertEquals(100, ((Append) m).entries().size());
    }
  }

  @Test
  void leaderPipelinesManyAppendsWithoutWaitingForAcknowledgements() {
    RaftConfig cfg = new RaftConfig(10, 1, 4, 3);
    TestCluster c = new TestCluster(3, cfg, 7);
    c.elect(1);
    for (int i = 0; i < 40; i++) {
      c.node(1).propose(cmd("p" + i));
    }
    List<Message> out = c.drain(1);
    long toNode2 = out.stream().filter(m -> m.to() == 2).count();
    assertEquals(3, toNode2, "three batches in flight, then the leader waits");
    out.forEach(m -> c.node(m.to()).step(m));
    c.stabilize();
    c.tick(1, 1);
    c.stabilize();
    assertEquals(40, commands(c.applied.get(2)).size());
  }

  @Test
  void oneRoundOfAcknowledgementsCommitsAWholeBatch() {
    TestCluster c = new TestCluster(3);
    c.elect(1);
    for (int i = 0; i < 50; i++) {
      c.node(1).propose(cmd("p" + i));
    }
    long before = c.node(1).commitIndex();
    List<Message> appends = c.drain(1);
    c.node(2).step(appends.get(0));
    c.node(1).step(c.node(2).ready().messages().get(0));
    assertEquals(before + 50, c.node(1).commitIndex());
  }

  // Leader health

  @Test
  void isolatedLeaderStepsDownAfterAnElectionTimeoutWithoutAMajority() {
    TestCluster c = new TestCluster(3);
    c.elect(1);
    c.isolated.add(1);
    for (int i = 0; i < 2 * RaftConfig.DEFAULT.electionTicks(); i++) {
      c.tick(1, 1);
      c.stabilize();
    }
    assertEquals(Role.FOLLOWER, c.node(1).role());
  }

  @Test
  void rejoiningPartitionedNodeDoesNotDeposeTheHealthyLeader() {
    TestCluster c = new TestCluster(3);
    c.elect(1);
    long term = c.node(1).term();
    c.isolated.add(3);
    for (int i = 0; i < 10 * RaftConfig.DEFAULT.electionTicks(); i++) {
      c.tick(3, 1);
      c.tick(1, 1);
      c.stabilize();
    }
    assertEquals(term, c.node(3).term(), "pre-vote kept the isolated node's term");
    c.isolated.clear();
    c.tick(1, 1);
    c.stabilize();
    assertEquals(Role.LEADER, c.node(1).role());
    assertEquals(term, c.node(1).term());
  }

  // Persistence and restart

  @Test
  void restartedNodeKeepsItsVoteAndLogFromPersistedState() {
    TestCluster c = new TestCluster(3);
    c.elect(1);
    c.node(1).propose(cmd("a"));
    c.stabilize();
    long term = c.node(2).term();
    c.restart(2, 99);
    assertEquals(term, c.node(2).term());
    assertEquals(c.node(1).lastIndex(), c.node(2).lastIndex());
    c.tick(1, 1);
    c.stabilize();
    assertEquals(List.of("a"), commands(c.applied.get(2)), "committed entries are re-applied after restart");
  }

  // Snapshots (§7)

  @Test
  void followerBehindACompactedLogCatchesUpByInstallingTheLeadersSnapshot() {
    TestCluster c = new TestCluster(3);
    c.elect(1);
    c.isolated.add(3);
    for (int i = 0; i < 10; i++) {
      c.node(1).propose(cmd("p" + i));
    }
    c.stabilize();
    long applied = c.node(1).commitIndex();
    c.node(1).compact(new Snapshot(applied, c.node(1).termOf(applied), cmd("state@" + applied)));
    c.isolated.clear();
    c.tick(1, 1);
    c.stabilize();
    c.tick(1, 1);
    c.stabilize();
    Snapshot installed = c.readies.get(3).stream().map(Ready::snapshot).filter(s -> s != null)
        .findFirst().orElse(null);
    assertNotNull(installed, "node 3 was sent the snapshot");
    assertEquals(applied, installed.index());
    assertEquals(applied, c.node(3).commitIndex());
    c.node(1).propose(cmd("after"));
    c.stabilize();
    c.tick(1, 1);
    c.stabilize();
    assertEquals(List.of("after"), commands(c.applied.get(3)));
  }

  @Test
  void compactionPastTheAppliedIndexIsRefused() {
    TestCluster c = new TestCluster(1);
    c.elect(1);
    c.node(1).propose(cmd("a"));
    long last = c.node(1).lastIndex();
    assertThrows(IllegalArgumentException.class, () -> c.node(1).compact(new Snapshot(last, 1, new byte[0])));
    assertEquals(1, c.node(1).firstIndex(), "nothing was compacted");
    assertFalse(c.node(1).entries(1, last).isEmpty());
  }
}
