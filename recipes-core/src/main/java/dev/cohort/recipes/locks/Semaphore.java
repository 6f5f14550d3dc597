package dev.cohort.recipes.locks;

import dev.cohort.recipes.Cohort;
import dev.cohort.recipes.ConnectionState;
import dev.cohort.recipes.ConnectionStateListener;
import dev.cohort.recipes.Deadline;
import dev.cohort.recipes.NodeNames;
import dev.cohort.recipes.OwnedNode;
import dev.cohort.recipes.OwnershipListener;
import dev.cohort.recipes.internal.Place;
import dev.cohort.recipes.internal.SequentialQueue;
import dev.cohort.spi.ConnectionLossException;
import dev.cohort.spi.CoordinationException;
import dev.cohort.spi.CreateMode;
import dev.cohort.spi.Paths;
import dev.cohort.spi.WatchEvent;
import dev.cohort.spi.Watcher;
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
 * Waiters queue for a gate (an exclusive lock, the {@link SequentialQueue} protocol, under {@code <path>/gate}), each
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
  private final SequentialQueue gate;
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
    this.gate = new SequentialQueue(client, Paths.join(path, "gate"), true);
    this.leasesDir = Paths.join(path, "leases");
    this.maxLeases = maxLeases;
    this.tracker = new OwnershipTracker(client, client.events().orElse(null), "semaphore", path);
  }

  /** The number of leases. */
  public int maxLeases() {
    return maxLeases;
  }

  /** Waits, interruptibly and without limit, for a lease. */
  public Lease acquire() throws InterruptedException {
    client.checkUsable();
    return acquire(Deadline.never(client)).orElseThrow(() -> new IllegalStateException("unbounded acquire ended without a lease"));
  }

  /** Waits at most {@code timeout} for a lease; empty if the time passed first (nothing is left behind). */
  public Optional<Lease> tryAcquire(Duration timeout) throws InterruptedException {
    Objects.requireNonNull(timeout, "timeout");
    client.checkUsable();
    return acquire(Deadline.after(client, timeout));
  }

  /** Tells {@code listener} when a lease may be lost, is confirmed, or is lost. */
  public void addOwnershipListener(OwnershipListener listener) {
    tracker.addListener(listener);
  }

  public void removeOwnershipListener(OwnershipListener listener) {
    tracker.removeListener(listener);
  }

  private Optional<Lease> acquire(Deadline deadline) throws InterruptedException {
    if (Thread.interrupted()) {
      throw new InterruptedException();
    }
    while (true) {
      Place gatePlace = gate.acquire("gate-", NO_DATA, LockDecisions::exclusive, null, deadline, false);
      if (gatePlace == null) {
        return Optional.empty();
      }
      try {
        Optional<OwnedNode> lease = leaseWhileHoldingGate(gatePlace.granted().join(), deadline);
        if (lease == null) {
          continue; // the session was lost under us; queue again on the new one
        }
        return lease.map(node -> {
          tracker.held(node);
          return new Lease(client, node, () -> tracker.released(node));
        });
      } finally {
        gatePlace.release();
      }
    }
  }

  /** Our lease, empty on deadline, or null if the session was lost. */
  private Optional<OwnedNode> leaseWhileHoldingGate(OwnedNode gateNode, Deadline deadline) throws InterruptedException {
    OwnedNode lease = null;
    CompletableFuture<OwnedNode> creating = null;
    boolean granted = false;
    try {
      creating = client.async().createProtected(leasesDir, "lease-", NO_DATA, CreateMode.EPHEMERAL_SEQUENTIAL);
      lease = await(creating, deadline);
      // Look without a watch first and set one only to wait: a watch left behind by a look that
      // found a free lease would fire on the next gate holder's lease create, waking nobody.
      boolean watch = false;
      while (true) {
        if (!client.isLiveSession(gateNode.sessionId())) {
          return null;
        }
        LeasesWatch waiter = watch ? new LeasesWatch() : null;
        if (waiter != null) {
          client.addConnectionStateListener(waiter);
        }
        boolean consumed = waiter == null;
        try {
          List<String> sorted = NodeNames.sortBySequence(await(client.async().getChildren(leasesDir, waiter), deadline).names());
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
              if (!deadline.await(waiter.fired)) {
                return Optional.empty();
              }
              consumed = true;
            } finally {
              leaseWaiters.decrementAndGet();
            }
          }
        } finally {
          if (waiter != null) {
            client.removeConnectionStateListener(waiter);
            if (!consumed && !waiter.fired.isDone()) {
              // abandoned (deadline, interrupt, failure): a watch nobody will consume is a leak
              client.async().removeWatches(leasesDir, waiter).exceptionally(e -> null);
            }
          }
        }
        watch = waiter == null; // a look without a watch is followed by one with; a wake by one without
      }
    } catch (TimedOut e) {
      return Optional.empty();
    } catch (ConnectionLossException e) {
      return client.awaitConnected(deadline.remaining()) ? null : Optional.empty();
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

  /** The child watch a gate holder waits on for a free lease, also woken by the loss of its session. */
  private static final class LeasesWatch implements Watcher, ConnectionStateListener {
    final CompletableFuture<Void> fired = new CompletableFuture<>();

    @Override
    public void process(WatchEvent event) {
      fired.complete(null);
    }

    @Override
    public void stateChanged(Cohort client, ConnectionState newState) {
      if (newState == ConnectionState.LOST) {
        fired.complete(null);
      }
    }
  }

  /** Waits for {@code future} until the deadline; rethrows its failure unchecked. */
  private static <T> T await(CompletableFuture<T> future, Deadline deadline) throws InterruptedException, TimedOut {
    if (!deadline.await(future)) {
      throw new TimedOut();
    }
    try {
      return future.join();
    } catch (java.util.concurrent.CompletionException e) {
      Throwable cause = e.getCause();
      if (cause instanceof RuntimeException re) {
        throw re;
      }
      throw new IllegalStateException(cause);
    }
  }

  /** The deadline passed while waiting for a reply. */
  private static final class TimedOut extends Exception {
    private static final long serialVersionUID = 1L;

    TimedOut() {
      super("deadline passed", null, false, false);
    }
  }

  public CompletableFuture<Lease> acquireAsync() { throw new UnsupportedOperationException(); }
  public CompletableFuture<Lease> acquireAsync(Duration t) { throw new UnsupportedOperationException(); }

  /** Threads of this object parked right now, on the gate or on the leases; for herd tests. */
  int parkedWaiters() {
    return gate.parked() + leaseWaiters.get();
  }

}
