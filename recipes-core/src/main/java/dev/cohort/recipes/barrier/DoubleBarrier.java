package dev.cohort.recipes.barrier;

import dev.cohort.recipes.Cohort;
import dev.cohort.recipes.Deadline;
import dev.cohort.spi.CreateMode;
import dev.cohort.spi.NoNodeException;
import dev.cohort.spi.NodeExistsException;
import dev.cohort.spi.Paths;
import dev.cohort.spi.Stat;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * A double barrier: {@link #enter} blocks until {@code memberCount} members have entered, and
 * {@link #leave} blocks until every member has left, so a group starts a computation together and
 * finishes it together.
 *
 * <h2>How it works</h2>
 * (ZooKeeper's double-barrier recipe.) Each member has an ephemeral node {@code <path>/<memberId>}.
 * Entering: create it; seeing at least N member nodes, create {@code <path>/ready}, which releases
 * everyone; otherwise wait for {@code ready}. Leaving follows {@link BarrierDecisions#leave}: the
 * lowest member waits for the highest to go, every other member deletes its node and waits for the
 * lowest to go, so each departure wakes one member rather than all. The last member out removes
 * {@code ready}, so the barrier can be used again.
 *
 * <p>Guarantees: {@code enter} returns true only once N members have entered; {@code leave} returns
 * true only once no member node is left. Both take a timeout, and a member that gives up removes
 * its own node and its watch. A member's node is ephemeral, so a crashed member counts as left once
 * its session expires. One instance is one member; its methods are meant for one thread.
 */
public final class DoubleBarrier {
  static final String READY = "ready";

  private final Cohort client;
  private final String path;
  private final String memberId;
  private final String node;
  private final String readyPath;
  private final int memberCount;

  private DoubleBarrier(Cohort client, String path, String memberId, int memberCount) {
    this.client = client;
    this.path = path;
    this.memberId = memberId;
    this.node = Paths.join(path, memberId);
    this.readyPath = Paths.join(path, READY);
    this.memberCount = memberCount;
  }

  /**
   * Member {@code memberId} of the double barrier at {@code path} for {@code memberCount} members.
   *
   * @throws IllegalArgumentException if memberCount is below 1 or memberId is not one valid path
   *     segment or is the reserved name {@code ready}
   */
  public static DoubleBarrier of(Cohort client, String path, String memberId, int memberCount) {
    Objects.requireNonNull(client, "client");
    Paths.validate(path);
    Objects.requireNonNull(memberId, "memberId");
    if (memberId.isEmpty() || memberId.indexOf('/') >= 0 || !Paths.isValid("/" + memberId) || memberId.equals(READY)) {
      throw new IllegalArgumentException("memberId must be one valid path segment other than 'ready': '" + memberId + "'");
    }
    if (memberCount < 1) {
      throw new IllegalArgumentException("memberCount must be at least 1: " + memberCount);
    }
    return new DoubleBarrier(client, path, memberId, memberCount);
  }

  /**
   * Enters and waits until {@code memberCount} members have, at most {@code timeout}.
   *
   * @return true once the barrier is open; false if the timeout passed first, in which case this
   *     member's node has been removed again
   * @throws IllegalStateException if another live session is in the barrier under this member id
   */
  public boolean enter(Duration timeout) throws InterruptedException {
    Objects.requireNonNull(timeout, "timeout");
    client.checkUsable();
    Deadline deadline = Deadline.after(client, timeout);
    long session = client.sessionId();
    try {
      Waits.await(client.async().createWithParents(node, new byte[0], CreateMode.EPHEMERAL));
    } catch (NodeExistsException e) {
      Stat stat = Waits.await(client.async().exists(node, null));
      if (stat == null || stat.ephemeralOwner() != session) {
        throw new IllegalStateException("member " + memberId + " is already in barrier " + path);
      }
    }
    boolean entered = false;
    try {
      if (BarrierDecisions.enoughToEnter(members(), memberCount)) {
        try {
          Waits.await(client.async().create(readyPath, new byte[0], CreateMode.PERSISTENT));
        } catch (NodeExistsException e) {
          // another member opened it
        }
        entered = true;
      } else {
        entered = Waits.awaitExists(client, readyPath, true, deadline);
      }
      return entered;
    } finally {
      if (!entered) {
        deleteMine();
      }
    }
  }

  /**
   * Leaves and waits until every member has left, at most {@code timeout}.
   *
   * @return true once no member is left; false if the timeout passed first (this member's node is
   *     removed all the same)
   */
  public boolean leave(Duration timeout) throws InterruptedException {
    Objects.requireNonNull(timeout, "timeout");
    client.checkUsable();
    Deadline deadline = Deadline.after(client, timeout);
    boolean done = false;
    try {
      while (true) {
        BarrierDecisions.Leave next = BarrierDecisions.leave(members(), memberId);
        if (next instanceof BarrierDecisions.Leave.Done) {
          done = true;
        } else if (next instanceof BarrierDecisions.Leave.DeleteMineAndDone) {
          deleteMine();
          done = true;
        } else if (next instanceof BarrierDecisions.Leave.DeleteMineAndWaitFor wait) {
          deleteMine();
          if (!Waits.awaitExists(client, Paths.join(path, wait.node()), false, deadline)) {
            return false;
          }
        } else if (next instanceof BarrierDecisions.Leave.WaitFor wait) {
          if (!Waits.awaitExists(client, Paths.join(path, wait.node()), false, deadline)) {
            return false;
          }
        }
        if (done) {
          try {
            Waits.await(client.async().delete(readyPath, -1));
          } catch (NoNodeException e) {
            // another leaver removed it
          }
          return true;
        }
      }
    } finally {
      if (!done) {
        deleteMine();
      }
    }
  }

  private List<String> members() throws InterruptedException {
    List<String> members;
    try {
      members = new ArrayList<>(Waits.await(client.async().getChildren(path, null)).names());
    } catch (NoNodeException e) {
      // The directory is a container where the backend has them: gone once its last node went.
      return new ArrayList<>();
    }
    members.remove(READY);
    return members;
  }

  private void deleteMine() throws InterruptedException {
    try {
      Waits.await(client.async().delete(node, -1));
    } catch (NoNodeException e) {
      // already gone
    }
  }
}
