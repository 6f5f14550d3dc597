package dev.cohort.recipes.locks;

import dev.cohort.recipes.Cohort;
import dev.cohort.recipes.NodeNames;
import dev.cohort.recipes.OwnedNode;
import dev.cohort.recipes.OwnershipListener;
import dev.cohort.spi.ConnectionLossException;
import dev.cohort.spi.CoordinationException;
import dev.cohort.spi.CreateMode;
import dev.cohort.spi.Paths;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A counting semaphore across processes: at most {@code maxLeases} {@link Lease}s are held at once
 * among all clients that name the same path, each with its own fencing token.
 *
 * <h2>How it works, and why it has no herd</h2>
 * Waiters queue for a gate (an exclusive {@link LockEngine} lock under {@code <path>/gate}), each
 * watching only its predecessor. Only the gate holder looks at the leases (ephemeral-sequential
 * nodes under {@code <path>/leases}): it adds its own, and if its node is not among the first
 * {@code maxLeases} it sets one child watch on the leases directory and waits. A lease release fires
 * that one watch; the gate holder takes its lease and leaves the gate, which wakes the next waiter.
 * So each release wakes one thread, however many wait. All clients of one path must agree on
 * {@code maxLeases}.
 */
public final class Semaphore {

  private static final byte[] NO_DATA = new byte[0];

  private final Cohort client;
  private final LockEngine gate;
  private final String leasesDir;
  private final int maxLeases;
  private final OwnershipTracker tracker;
  /** Gate holders of this object parked on the leases watch right now; for herd tests. */
  private final AtomicInteger leaseWaiters = new AtomicInteger();

  /**
   * @param path the semaphore's path, relative to the client's namespace
   * @param maxLeases the number of leases; positive
   */
  public Semaphore(Cohort client, String path, int maxLeases) {
    this.client = Objects.requireNonNull(client, "client");
    Objects.requireNonNull(path, "path");
    if (maxLeases < 1) {
      throw new IllegalArgumentException("maxLeases must be positive: " + maxLeases);
    }
    this.gate = LockEngine.exclusive(client, Paths.join(path, "gate"));
    this.leasesDir = Paths.join(path, "leases");
    this.maxLeases = maxLeases;
    this.tracker = new OwnershipTracker(client);
  }

  /** The number of leases. */
  public int maxLeases() {
    return maxLeases;
  }

  /** Waits, interruptibly and without limit, for a lease. */
  public Lease acquire() throws InterruptedException {
    return acquire(Long.MAX_VALUE).orElseThrow(() -> new IllegalStateException("unbounded acquire ended without a lease"));
  }

  /** Waits at most {@code timeout} for a lease; empty if the time passed first (nothing is left behind). */
  public Optional<Lease> tryAcquire(Duration timeout) throws InterruptedException {
    return acquire(gate.deadline(Math.max(0, Objects.requireNonNull(timeout, "timeout").toNanos())));
  }

  /** Tells {@code listener} when a lease may be lost, is confirmed, or is lost. */
  public void addOwnershipListener(OwnershipListener listener) {
    tracker.addListener(listener);
  }

  public void removeOwnershipListener(OwnershipListener listener) {
    tracker.removeListener(listener);
  }

  private Optional<Lease> acquire(long deadline) throws InterruptedException {
    if (Thread.interrupted()) {
      throw new InterruptedException();
    }
    while (true) {
      OwnedNode gateNode = gate.acquire("gate-", NO_DATA, LockDecisions::exclusive, deadline);
      if (gateNode == null) {
        return Optional.empty();
      }
      try {
        Optional<OwnedNode> lease = leaseWhileHoldingGate(gateNode, deadline);
        if (lease == null) {
          continue; // the session was lost under us; queue again on the new one
        }
        return lease.map(node -> {
          tracker.held(node);
          return new Lease(client, node, () -> tracker.released(node));
        });
      } finally {
        gate.release(gateNode);
      }
    }
  }

  /** Our lease, empty on deadline, or null if the session was lost. */
  private Optional<OwnedNode> leaseWhileHoldingGate(OwnedNode gateNode, long deadline) throws InterruptedException {
    OwnedNode lease = null;
    CompletableFuture<OwnedNode> creating = null;
    boolean granted = false;
    try {
      creating = client.async().createProtected(leasesDir, "lease-", NO_DATA, CreateMode.EPHEMERAL_SEQUENTIAL);
      lease = gate.await(creating, deadline);
      // Look without a watch first and set one only to wait: a watch left behind by a look that
      // found a free lease would fire on the next gate holder's lease create, waking nobody.
      boolean watch = false;
      while (true) {
        if (!client.isLiveSession(gateNode.sessionId())) {
          return null;
        }
        Waiter waiter = watch ? new Waiter() : null;
        if (waiter != null) {
          client.addConnectionStateListener(waiter);
        }
        try {
          List<String> sorted = NodeNames.sortBySequence(gate.await(client.async().getChildren(leasesDir, waiter), deadline).names());
          LockDecisions.Decision decision = LockDecisions.shared(sorted, lease.name(), maxLeases);
          if (decision instanceof LockDecisions.Acquired) {
            granted = true;
            return Optional.of(lease);
          }
          if (decision instanceof LockDecisions.NodeMissing) {
            return null;
          }
          if (waiter != null) {
            leaseWaiters.incrementAndGet();
            try {
              if (!waiter.await(client.timeSource(), deadline)) {
                return Optional.empty();
              }
            } finally {
              leaseWaiters.decrementAndGet();
            }
          }
        } finally {
          if (waiter != null) {
            client.removeConnectionStateListener(waiter);
          }
        }
        watch = waiter == null; // a look without a watch is followed by one with; a wake by one without
      }
    } catch (LockEngine.TimedOut e) {
      return Optional.empty();
    } catch (ConnectionLossException e) {
      return client.awaitConnected(remaining(deadline)) ? null : Optional.empty();
    } catch (CoordinationException e) {
      if (e.isSessionGone()) {
        return null;
      }
      throw e;
    } finally {
      if (!granted && lease != null) {
        client.async().deleteIfOwned(lease);
      } else if (!granted && creating != null) {
        // we stopped waiting for a create that may still succeed: delete its node when it does
        creating.thenAccept(late -> client.async().deleteIfOwned(late));
      }
    }
  }

  /** Threads of this object parked right now, on the gate or on the leases; for herd tests. */
  int parkedWaiters() {
    return gate.parked() + leaseWaiters.get();
  }

  private Duration remaining(long deadline) {
    return deadline == Long.MAX_VALUE ? Duration.ofDays(365_000)
        : Duration.ofNanos(Math.max(0, deadline - client.timeSource().nanoTime()));
  }
}
