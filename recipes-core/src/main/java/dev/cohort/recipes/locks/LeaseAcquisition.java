package dev.cohort.recipes.locks;

import dev.cohort.recipes.Cohort;
import dev.cohort.recipes.ConnectionState;
import dev.cohort.recipes.ConnectionStateListener;
import dev.cohort.recipes.NodeNames;
import dev.cohort.recipes.OwnedNode;
import dev.cohort.recipes.internal.Place;
import dev.cohort.recipes.internal.SequentialQueue;
import dev.cohort.spi.Children;
import dev.cohort.spi.ConnectionLossException;
import dev.cohort.spi.CoordinationException;
import dev.cohort.spi.CreateMode;
import dev.cohort.spi.Watcher;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * One asynchronous, cancellable attempt to take a {@link Semaphore} lease: queue for the gate (a
 * {@link Place} of the gate's {@link SequentialQueue}), and as its holder create a lease node, look
 * at the leases without a watch, and only if ours is not among the first {@code maxLeases} look
 * again with one child watch and wait for it. A free lease ends the attempt: the gate is released
 * and {@link #result} completes with the lease node. Nothing blocks; steps run on the threads that
 * complete the previous ones.
 *
 * <p>Steps are numbered by {@link #round}, one per pass through the gate: a session loss or a
 * lost connection ends the pass (its lease and gate node are given back) and starts another once
 * the connection is back; a step of an ended pass does nothing. Cleanup invariant: once {@link
 * #finished} without a lease, this attempt's lease node (or the one of a create still in flight,
 * when it completes) is deleted, its gate place is cancelled or released, and its watch removed.
 */
final class LeaseAcquisition implements ConnectionStateListener {
  private static final byte[] NO_DATA = new byte[0];

  private final Cohort client;
  private final SequentialQueue gate;
  private final String leasesDir;
  private final int maxLeases;
  /** Gate holders of the semaphore parked on the leases watch; shared by its attempts. */
  private final AtomicInteger leaseWaiters;
  /** Completes with our lease node, with null once given up, or exceptionally on failure. */
  final CompletableFuture<OwnedNode> result = new CompletableFuture<>();

  // Guarded by this.
  private boolean finished;
  private long round;
  private Place gatePlace;
  /** The lease create in flight, then its node once it returned. */
  private CompletableFuture<OwnedNode> creating;
  private OwnedNode lease;
  /** The leases watch set now, or null. */
  private Watcher watch;
  private boolean parked;
  /** Waiting for the connection before the next pass. */
  private boolean stalled;
  private boolean listening;

  LeaseAcquisition(Cohort client, SequentialQueue gate, String leasesDir, int maxLeases, AtomicInteger leaseWaiters) {
    this.client = client;
    this.gate = gate;
    this.leasesDir = leasesDir;
    this.maxLeases = maxLeases;
    this.leaseWaiters = leaseWaiters;
  }

  /** Starts a pass through the gate. */
  void start() {
    long r;
    synchronized (this) {
      if (finished) {
        return;
      }
      r = ++round;
      stalled = false;
    }
    Place place = gate.join("gate-", NO_DATA, SequentialQueue.EXCLUSIVE, null, false);
    synchronized (this) {
      if (finished || r != round) {
        place.cancel(); // ended while joining (cancel is idempotent and takes no lock of ours)
        if (place.heldNode() != null) {
          place.release();
        }
        return;
      }
      gatePlace = place;
    }
    place.granted().whenComplete((gateNode, error) -> {
      if (error != null) {
        failed(r, error);
      } else if (gateNode != null) {
        createLease(r);
      }
    });
  }

  /**
   * Gives up unless a lease was taken already. Idempotent.
   *
   * @return true if this call ended the attempt
   */
  boolean cancel() {
    return giveUp(null);
  }

  private void createLease(long r) {
    CompletableFuture<OwnedNode> create;
    synchronized (this) {
      if (finished || r != round) {
        return;
      }
      create = client.async().createProtected(leasesDir, "lease-", NO_DATA, CreateMode.EPHEMERAL_SEQUENTIAL);
      creating = create;
    }
    create.whenComplete((node, error) -> {
      if (error != null) {
        failed(r, error);
        return;
      }
      boolean current;
      synchronized (this) {
        current = !finished && r == round;
        if (current) {
          lease = node;
        }
      }
      if (current) {
        look(r, false);
      } else {
        client.async().deleteIfOwned(node); // the pass ended while the create was in flight
      }
    });
  }

  /**
   * Lists the leases, with a watch only to wait: a watch left behind by a look that found a free
   * lease would fire on the next gate holder's lease create, waking nobody.
   */
  private void look(long r, boolean withWatch) {
    Watcher watcher = withWatch ? event -> fired(r) : null;
    synchronized (this) {
      if (finished || r != round) {
        return;
      }
      watch = watcher;
    }
    if (withWatch) {
      listen(); // a session loss must wake us: the watch can never fire then
    }
    client.async().getChildren(leasesDir, watcher).whenComplete((children, error) -> {
      if (error != null) {
        failed(r, error);
      } else {
        decide(r, watcher, children);
      }
    });
  }

  private void decide(long r, Watcher watcher, Children children) {
    OwnedNode ours;
    synchronized (this) {
      if (finished || r != round) {
        return; // whoever ended the pass removed the watch
      }
      ours = lease;
    }
    List<String> sorted = NodeNames.sortBySequence(children.names());
    LockDecisions.Decision decision = LockDecisions.shared(sorted, ours.name(), maxLeases);
    if (decision instanceof LockDecisions.Acquired) {
      grant(r, watcher);
    } else if (decision instanceof LockDecisions.NodeMissing) {
      restart(r); // our lease went with the session
    } else if (watcher == null) {
      look(r, true);
    } else {
      synchronized (this) {
        if (finished || r != round || watch != watcher || parked) {
          return;
        }
        parked = true;
        leaseWaiters.incrementAndGet();
      }
    }
  }

  private void fired(long r) {
    synchronized (this) {
      if (finished || r != round || watch == null) {
        return;
      }
      watch = null; // one-shot: gone once it fired
      unpark();
    }
    look(r, false);
  }

  private void grant(long r, Watcher watcher) {
    OwnedNode ours;
    Place place;
    Watcher abandoned;
    synchronized (this) {
      if (finished || r != round) {
        return;
      }
      finished = true;
      round++;
      unpark();
      ours = lease;
      place = gatePlace;
      abandoned = watch;
      watch = null;
    }
    unlisten();
    if (abandoned != null) {
      removeWatch(abandoned);
    }
    place.release();
    result.complete(ours);
  }

  /** Ends the attempt without a lease; gives back everything of the current pass. */
  private boolean giveUp(Throwable failure) {
    synchronized (this) {
      if (finished) {
        return false;
      }
      finished = true;
    }
    unlisten();
    endPass();
    if (failure == null) {
      result.complete(null);
    } else {
      result.completeExceptionally(failure);
    }
    return true;
  }

  /** Gives back the current pass's lease, watch and gate place. */
  private void endPass() {
    Place place;
    CompletableFuture<OwnedNode> create;
    OwnedNode ours;
    Watcher abandoned;
    synchronized (this) {
      round++;
      unpark();
      place = gatePlace;
      create = creating;
      ours = lease;
      abandoned = watch;
      gatePlace = null;
      creating = null;
      lease = null;
      watch = null;
    }
    if (abandoned != null) {
      removeWatch(abandoned);
    }
    if (ours != null) {
      client.async().deleteIfOwned(ours);
    } else if (create != null) {
      create.thenAccept(late -> client.async().deleteIfOwned(late)); // ignores a failed create
    }
    if (place != null && !place.cancel()) {
      place.release(); // held the gate
    }
  }

  /** A step of pass {@code r} failed. */
  private void failed(long r, Throwable error) {
    Throwable cause = error;
    while (cause instanceof CompletionException && cause.getCause() != null) {
      cause = cause.getCause();
    }
    synchronized (this) {
      if (finished || r != round) {
        return;
      }
    }
    if (client.isClosed()) {
      giveUpClosed();
    } else if (cause instanceof ConnectionLossException
        || (cause instanceof CoordinationException ce && ce.isSessionGone())) {
      restart(r);
    } else {
      giveUp(cause);
    }
  }

  /** Ends pass {@code r} and starts another once the connection is up. */
  private void restart(long r) {
    synchronized (this) {
      if (finished || r != round) {
        return;
      }
      stalled = true;
    }
    if (client.isClosed()) {
      giveUpClosed(); // gives everything of this pass back too
      return;
    }
    endPass();
    listen();
    if (isConnected()) {
      resume();
    }
  }

  private void resume() {
    synchronized (this) {
      if (finished || !stalled) {
        return;
      }
      stalled = false;
    }
    if (client.isClosed()) {
      giveUpClosed();
    } else {
      start();
    }
  }

  private void giveUpClosed() {
    try {
      client.checkUsable();
    } catch (IllegalStateException closed) {
      giveUp(closed);
    }
  }

  @Override
  public void stateChanged(Cohort c, ConnectionState state) {
    switch (state) {
      case LOST -> {
        long r;
        synchronized (this) {
          if (finished || stalled || lease == null || client.isLiveSession(lease.sessionId())) {
            return; // nothing of ours went with that session (the gate place looks after itself)
          }
          r = round;
        }
        restart(r);
      }
      case CONNECTED, RECONNECTED -> resume();
      case SUSPENDED -> { }
    }
  }

  private boolean isConnected() {
    ConnectionState s = client.connectionState();
    return s != null && s.isConnected() && !client.isClosed() && client.isLiveSession(client.sessionId());
  }

  /** Caller holds this. */
  private void unpark() {
    if (parked) {
      parked = false;
      leaseWaiters.decrementAndGet();
    }
  }

  private void removeWatch(Watcher watcher) {
    client.async().removeWatches(leasesDir, watcher).exceptionally(e -> null); // gone with its session
  }

  private void listen() {
    synchronized (this) {
      if (listening || finished) {
        return;
      }
      listening = true;
    }
    client.addConnectionStateListener(this);
  }

  private void unlisten() {
    synchronized (this) {
      if (!listening) {
        return;
      }
      listening = false;
    }
    client.removeConnectionStateListener(this);
  }
}
