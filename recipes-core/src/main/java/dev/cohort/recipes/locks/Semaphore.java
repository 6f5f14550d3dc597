package dev.cohort.recipes.locks;

import dev.cohort.recipes.Cohort;
import dev.cohort.recipes.Deadline;
import dev.cohort.recipes.OwnedNode;
import dev.cohort.recipes.OwnershipListener;
import dev.cohort.recipes.internal.SequentialQueue;
import dev.cohort.spi.CoordinationException;
import dev.cohort.spi.Paths;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeoutException;
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
 *
 * <p>Every acquire is one asynchronous, cancellable attempt (a state machine that parks no
 * thread): {@link #acquireAsync()} returns its future, and the blocking {@link #acquire()} and
 * {@link #tryAcquire} wait on it through a {@link Deadline}, cancelling it if the wait ends first.
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

  /**
   * Queues for a lease and returns at once; the future completes with the lease on the client's
   * {@linkplain Cohort#listenerExecutor() listener executor} (never a backend thread, never under a
   * lock of the recipe). Waits without limit; cancelling the future gives up, deleting this
   * attempt's nodes and removing its watch (a lease granted just as it was cancelled is given
   * back). No thread waits meanwhile.
   *
   * @return a future of the lease; it fails with {@link IllegalStateException} if the client is
   *     closed while waiting, or with the backend's {@link CoordinationException} on a failure that
   *     is not a lost connection or session (those are waited out)
   * @throws IllegalStateException at once if the client is not started or closed
   */
  public CompletableFuture<Lease> acquireAsync() {
    client.checkUsable();
    return acquireAsync(Deadline.never(client));
  }

  /**
   * As {@link #acquireAsync()}, giving up after {@code timeout} on the client's clock: the future
   * then fails with {@link TimeoutException}, after this attempt's nodes and watch were removed.
   *
   * @throws IllegalStateException at once if the client is not started or closed
   */
  public CompletableFuture<Lease> acquireAsync(Duration timeout) {
    Objects.requireNonNull(timeout, "timeout");
    client.checkUsable();
    return acquireAsync(Deadline.after(client, timeout));
  }

  private CompletableFuture<Lease> acquireAsync(Deadline deadline) {
    LeaseAcquisition attempt = start();
    CompletableFuture<Lease> result = new CompletableFuture<>();
    CompletableFuture<Void> expiry = deadline.expiry();
    expiry.thenRun(attempt::cancel);
    result.whenComplete((lease, error) -> {
      if (result.isCancelled()) {
        attempt.cancel(); // false once granted: the grant then finds the future done and gives it back
      }
    });
    attempt.result.whenComplete((node, error) -> {
      expiry.cancel(false);
      Delivery.complete(client, () -> {
        if (error != null) {
          Throwable cause = error instanceof CompletionException && error.getCause() != null ? error.getCause() : error;
          result.completeExceptionally(cause);
        } else if (node == null) {
          result.completeExceptionally(new TimeoutException("timed out waiting for a lease of " + leasesDir));
        } else {
          Lease lease = lease(node);
          if (!result.complete(lease)) {
            lease.release(); // cancelled as it was granted
          }
        }
      });
    });
    return result;
  }

  private LeaseAcquisition start() {
    LeaseAcquisition attempt = new LeaseAcquisition(client, gate, leasesDir, maxLeases, leaseWaiters);
    attempt.start();
    return attempt;
  }

  private Lease lease(OwnedNode node) {
    tracker.held(node);
    return new Lease(client, node, () -> tracker.released(node));
  }

  /** Blocks on an asynchronous attempt until the deadline; an abandoned attempt cleans up. */
  private Optional<Lease> acquire(Deadline deadline) throws InterruptedException {
    if (Thread.interrupted()) {
      throw new InterruptedException();
    }
    LeaseAcquisition attempt = start();
    boolean done;
    try {
      done = deadline.await(attempt.result);
    } catch (InterruptedException e) {
      if (!attempt.cancel()) {
        giveBack(attempt); // granted as we were interrupted
      }
      throw e;
    }
    if (!done && attempt.cancel()) {
      return Optional.empty();
    }
    OwnedNode node;
    try {
      node = attempt.result.join();
    } catch (CompletionException e) {
      Throwable cause = e.getCause();
      throw cause instanceof RuntimeException re ? re : new IllegalStateException(cause);
    }
    return node == null ? Optional.empty() : Optional.of(lease(node));
  }

  private void giveBack(LeaseAcquisition attempt) {
    attempt.result.thenAccept(node -> {
      if (node != null) {
        client.async().deleteIfOwned(node);
      }
    });
  }

  /** Threads of this object parked right now, on the gate or on the leases; for herd tests. */
  int parkedWaiters() {
    return gate.parked() + leaseWaiters.get();
  }

}
